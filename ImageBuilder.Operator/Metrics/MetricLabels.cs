namespace ImageBuilder.Operator.Metrics;

/// <summary>The label values the operator's metrics use; fixed sets, so series stay few.</summary>
public static class MetricLabels
{
    /// <summary>A build that pushed an image.</summary>
    public const string Succeeded = "succeeded";

    /// <summary>A build that failed for good (after its retries, or at once for a user fault).</summary>
    public const string Failed = "failed";

    /// <summary>A build that found its image already in the registry.</summary>
    public const string CacheHit = "cache_hit";

    /// <summary>A bridge delivery that became a new ImageBuild.</summary>
    public const string Created = "created";

    /// <summary>A redelivered request whose ImageBuild already existed.</summary>
    public const string Duplicate = "duplicate";

    /// <summary>A request refused and answered on the Kusanali queue.</summary>
    public const string Rejected = "rejected";

    /// <summary>A request put back on the queue because the apiserver failed.</summary>
    public const string Requeued = "requeued";

    /// <summary>The fault label of an outcome that has none (a success).</summary>
    public const string NoFault = "none";

    /// <summary>Superseded by a newer request before it finished (superseded-count reason).</summary>
    public const string NewerRequest = "newer_request";

    /// <summary>Pushed, but not announced because a newer build of the application was announced first (superseded-count reason).</summary>
    public const string NewerAnnounced = "newer_announced";
}
