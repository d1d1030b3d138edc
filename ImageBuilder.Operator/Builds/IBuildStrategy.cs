using k8s.Models;

namespace ImageBuilder.Operator.Builds;

/// <summary>Writes the Kubernetes Job of one build attempt (as Shipwright's ClusterBuildStrategy does).</summary>
public interface IBuildStrategy
{
    /// <summary>The configuration value that selects this strategy.</summary>
    string Name { get; }

    /// <summary>The Job to create; pure: the same request gives the same Job.</summary>
    V1Job CreateJob(BuildJobRequest request);
}
