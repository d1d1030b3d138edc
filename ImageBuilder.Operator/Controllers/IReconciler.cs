namespace ImageBuilder.Operator.Controllers;

/// <summary>
/// Drives one object towards its desired state. Called by the work queue's workers, never twice at once
/// for the same key; the object may already be gone, so read it from the cache or the API first.
/// </summary>
/// <typeparam name="TEntity">The watched resource; only used to tell registrations apart.</typeparam>
public interface IReconciler<TEntity>
{
    Task<ReconcileResult> ReconcileAsync(ObjectKey key, CancellationToken cancellationToken);
}
