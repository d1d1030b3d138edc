using ImageBuilder.Operator.Controllers.Client;
using ImageBuilder.Operator.Controllers.Queues;
using k8s.Models;

namespace ImageBuilder.Operator.Controllers.Hosting;

/// <summary>Queues the owning <typeparamref name="TOwner"/> of a Job whenever the Job appears, changes or goes.</summary>
public sealed class EnqueueOwner<TOwner> : IInformerHandler<V1Job>
{
    private readonly WorkQueue _queue;

    public EnqueueOwner(WorkQueue queue)
    {
        ArgumentNullException.ThrowIfNull(queue);
        _queue = queue;
    }

    public void OnAdd(V1Job obj) => Enqueue(obj);

    public void OnUpdate(V1Job oldObj, V1Job newObj)
    {
        // A Job resync adds nothing: the owner's own resync already brings it back.
        if (!ReferenceEquals(oldObj, newObj))
        {
            Enqueue(newObj);
        }
    }

    public void OnDelete(V1Job obj) => Enqueue(obj);

    private void Enqueue(V1Job job)
    {
        if (OwnerKeys.ForJob<TOwner>(job) is { } key)
        {
            _queue.Add(key);
        }
    }
}
