using ImageBuilder.Operator.Controllers.Client;
using ImageBuilder.Operator.Controllers.Queues;
using k8s;
using k8s.Models;

namespace ImageBuilder.Operator.Controllers.Hosting;

/// <summary>Queues the key of every added or deleted object, and of updated ones that pass the predicate.</summary>
public sealed class EnqueueOnChange<T> : IInformerHandler<T>
    where T : class, IKubernetesObject<V1ObjectMeta>
{
    private readonly WorkQueue _queue;
    private readonly Func<T, T, bool> _shouldEnqueueUpdate;

    public EnqueueOnChange(WorkQueue queue, Func<T, T, bool> shouldEnqueueUpdate)
    {
        ArgumentNullException.ThrowIfNull(queue);
        ArgumentNullException.ThrowIfNull(shouldEnqueueUpdate);
        _queue = queue;
        _shouldEnqueueUpdate = shouldEnqueueUpdate;
    }

    public void OnAdd(T obj) => _queue.Add(ObjectKey.From(obj));

    public void OnUpdate(T oldObj, T newObj)
    {
        if (_shouldEnqueueUpdate(oldObj, newObj))
        {
            _queue.Add(ObjectKey.From(newObj));
        }
    }

    public void OnDelete(T obj) => _queue.Add(ObjectKey.From(obj));
}
