using ImageBuilder.Operator.Controllers.Client;
using ImageBuilder.Operator.Controllers.Queues;
using k8s;
using k8s.Models;

namespace ImageBuilder.Operator.Controllers.Hosting;

/// <summary>
/// Queues the owning <typeparamref name="TOwner"/> of a <typeparamref name="TOwned"/> whenever it appears, changes
/// or goes (controller-runtime's EnqueueRequestForOwner); the owner is found by <see cref="OwnerKeys.For{TOwner}"/>.
/// </summary>
public sealed class EnqueueOwner<TOwner, TOwned> : IInformerHandler<TOwned>
    where TOwned : class, IKubernetesObject<V1ObjectMeta>
{
    private readonly WorkQueue _queue;
    private readonly string? _ownerLabel;

    /// <param name="queue">The owner controller's queue.</param>
    /// <param name="ownerLabel">A label naming the owner, used when the object has no ownerReference of that kind; null for none.</param>
    public EnqueueOwner(WorkQueue queue, string? ownerLabel = null)
    {
        ArgumentNullException.ThrowIfNull(queue);
        _queue = queue;
        _ownerLabel = ownerLabel;
    }

    public void OnAdd(TOwned obj) => Enqueue(obj);

    public void OnUpdate(TOwned oldObj, TOwned newObj)
    {
        // A resync of an owned object adds nothing: the owner's own resync already brings it back.
        if (!ReferenceEquals(oldObj, newObj))
        {
            Enqueue(newObj);
        }
    }

    public void OnDelete(TOwned obj) => Enqueue(obj);

    private void Enqueue(TOwned obj)
    {
        if (OwnerKeys.For<TOwner>(obj, _ownerLabel) is { } key)
        {
            _queue.Add(key);
        }
    }
}
