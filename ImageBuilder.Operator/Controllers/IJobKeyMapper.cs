using k8s.Models;

namespace ImageBuilder.Operator.Controllers;

/// <summary>
/// Keys of further <typeparamref name="TEntity"/> objects to reconcile when a Job changes, beyond the Job's owner
/// (controller-runtime's EnqueueRequestsFromMapFunc): e.g. the builds waiting for the slot a finished Job frees.
/// Called on the informer's thread after its cache was updated; keep it short.
/// </summary>
public interface IJobKeyMapper<TEntity>
{
    /// <param name="before">The Job before the change; null when it was added.</param>
    /// <param name="after">The Job after the change; null when it was deleted.</param>
    IEnumerable<ObjectKey> Map(V1Job? before, V1Job? after);
}
