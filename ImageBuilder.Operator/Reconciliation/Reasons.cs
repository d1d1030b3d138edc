namespace ImageBuilder.Operator.Reconciliation;

/// <summary>Stable condition and Event reasons set by the reconciler (failure reasons come from the failure itself).</summary>
public static class Reasons
{
    /// <summary>Accepted, not started yet.</summary>
    public const string Pending = "Pending";
    /// <summary>The spec cannot be built as written.</summary>
    public const string InvalidSpec = "InvalidSpec";
    /// <summary>The Secret named by tokenSecretRef is missing or lacks the key: the build waits for it, then fails.</summary>
    public const string TokenSecretMissing = "TokenSecretMissing";
    /// <summary>The ref resolved to a commit.</summary>
    public const string Resolved = "Resolved";
    /// <summary>The image for this commit was already in the registry; no Job ran.</summary>
    public const string CacheHit = "CacheHit";
    /// <summary>The registry could not say whether the image exists.</summary>
    public const string RegistryUnavailable = "RegistryUnavailable";
    /// <summary>The build Job vanished before it finished.</summary>
    public const string JobLost = "JobLost";
    /// <summary>The apiserver refused the build Job as invalid (the template, the configuration or a name it cannot hold).</summary>
    public const string JobRejected = "JobRejected";
    /// <summary>A build Job was created.</summary>
    public const string BuildStarted = "BuildStarted";
    /// <summary>The build Job is running.</summary>
    public const string JobRunning = "JobRunning";
    /// <summary>The build Job pushed the image.</summary>
    public const string BuildSucceeded = "BuildSucceeded";
    /// <summary>The attempt failed; the next one waits for its delay.</summary>
    public const string RetryScheduled = "RetryScheduled";
    /// <summary>The next attempt started.</summary>
    public const string RetryStarted = "RetryStarted";
    /// <summary>The retry limit is reached.</summary>
    public const string RetriesExhausted = "RetriesExhausted";
    /// <summary>The terminal BuildResponse was confirmed by the broker.</summary>
    public const string Notified = "Notified";
    /// <summary>Publishing the terminal BuildResponse failed; it is retried.</summary>
    public const string NotifyFailed = "NotifyFailed";
    /// <summary>A reconcile step threw (an error no step classified); retried with backoff, then a service fault.</summary>
    public const string ReconcileError = "ReconcileError";
    /// <summary>A reconcile succeeded again after one or more threw.</summary>
    public const string ReconcileRecovered = "ReconcileRecovered";
    /// <summary>Every build slot is taken (or goes to builds ahead of it): the build waits in phase Queued.</summary>
    public const string WaitingForBuildSlot = "WaitingForBuildSlot";
    /// <summary>The cancel annotation ended the build.</summary>
    public const string Cancelled = "Cancelled";
    /// <summary>A newer request for the same application and ref replaced this build before it finished.</summary>
    public const string Superseded = "Superseded";
    /// <summary>The build finished after a newer build of the same application was announced, so it is not announced.</summary>
    public const string NewerBuildAnnounced = "NewerBuildAnnounced";
    /// <summary>The finished ImageBuild was deleted by the retention settings.</summary>
    public const string RetentionExpired = "RetentionExpired";
}
