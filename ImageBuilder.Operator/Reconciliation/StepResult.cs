namespace ImageBuilder.Operator.Reconciliation;

/// <summary>What a step tells the reconcile loop: go on, or stop here (optionally asking to be called again later).</summary>
public readonly record struct StepResult(bool Stop, TimeSpan? RequeueAfter, string? Error)
{
    public static StepResult Continue() => new(false, null, null);

    /// <summary>Nothing more to do now; a watch event (Job, annotation) will bring the next reconcile.</summary>
    public static StepResult Done() => new(true, null, null);

    public static StepResult RequeueAfterDelay(TimeSpan after) => new(true, after, null);

    /// <summary>A transient error: the status computed so far is still written, the key requeued with backoff.</summary>
    public static StepResult Failed(string error) => new(true, null, error);
}
