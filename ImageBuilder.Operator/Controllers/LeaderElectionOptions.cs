using System.ComponentModel.DataAnnotations;

namespace ImageBuilder.Operator.Controllers;

/// <summary>
/// Leader election on a coordination.k8s.io/v1 Lease (section <c>Controller:LeaderElection</c>): only the holder
/// reconciles. Timings follow client-go: LeaseDuration &gt; RenewDeadline &gt; RetryPeriod.
/// </summary>
public sealed class LeaderElectionOptions
{
    /// <summary>Off for a single instance, which then always reconciles.</summary>
    public bool Enabled { get; set; } = true;

    [Required]
    public string LeaseName { get; set; } = "image-builder-leader";

    /// <summary>Defaults to the pod's namespace (POD_NAMESPACE from the downward API), else <c>default</c>.</summary>
    [Required]
    public string LeaseNamespace { get; set; } = DefaultLeaseNamespace();

    /// <summary>This replica's name in the Lease; empty means the pod name (or host name) plus a random suffix.</summary>
    public string Identity { get; set; } = "";

    /// <summary>How long a non-leader waits after the last observed renewal before taking over.</summary>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>How long the leader keeps retrying a failed renewal before it gives leadership up.</summary>
    public TimeSpan RenewDeadline { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Pause between acquire or renew attempts.</summary>
    public TimeSpan RetryPeriod { get; set; } = TimeSpan.FromSeconds(2);

    private static string DefaultLeaseNamespace() =>
        Environment.GetEnvironmentVariable("POD_NAMESPACE") is { Length: > 0 } ns ? ns : "default";
}
