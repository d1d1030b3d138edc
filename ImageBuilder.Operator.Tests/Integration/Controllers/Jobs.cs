using ImageBuilder.Operator.Api;
using k8s.Models;

namespace ImageBuilder.Operator.Tests.Integration.Controllers;

/// <summary>Jobs for watch tests: parallelism 0, so the Job exists but never starts a pod.</summary>
public static class Jobs
{
    public static V1Job Idle(string name, bool managed, V1OwnerReference? owner = null) => new()
    {
        Metadata = new V1ObjectMeta
        {
            Name = name,
            Labels = managed ? new Dictionary<string, string> { [Annotations.ManagedByLabel] = Annotations.ManagedByValue } : null,
            OwnerReferences = owner is null ? null : [owner],
        },
        Spec = new V1JobSpec
        {
            Parallelism = 0,
            BackoffLimit = 0,
            Template = new V1PodTemplateSpec
            {
                Spec = new V1PodSpec
                {
                    RestartPolicy = "Never",
                    Containers = [new V1Container { Name = "main", Image = "imagebuilder/busybox:dev", ImagePullPolicy = "Never", Command = ["true"] }],
                },
            },
        },
    };
}
