namespace ImageBuilder.Operator.Controllers;

/// <summary>
/// What a reconcile decided. <see cref="Failed"/> requeues with the queue's per-key exponential backoff;
/// <see cref="Requeue"/> comes back after the given delay and resets the backoff; <see cref="Done"/> forgets the key.
/// </summary>
public readonly record struct ReconcileResult(bool Succeeded, TimeSpan? RequeueAfter, string? Error)
{
    public static ReconcileResult Done() => new(true, null, null);

    public static ReconcileResult Requeue(TimeSpan after) => new(true, after, null);

    public static ReconcileResult Failed(string error) => new(false, null, error);
}
