using ImageBuilder.Operator.Controllers.Client;
using ImageBuilder.Operator.Controllers.Queues;
using k8s.Models;

namespace ImageBuilder.Operator.Controllers.Hosting;

/// <summary>Queues the keys an <see cref="IJobKeyMapper{TEntity}"/> names for each Job event (resyncs excepted).</summary>
public sealed class EnqueueMapped<TEntity>(WorkQueue queue, IJobKeyMapper<TEntity> mapper) : IInformerHandler<V1Job>
{
    public void OnAdd(V1Job obj) => Enqueue(null, obj);

    public void OnUpdate(V1Job oldObj, V1Job newObj)
    {
        if (!ReferenceEquals(oldObj, newObj))
        {
            Enqueue(oldObj, newObj);
        }
    }

    public void OnDelete(V1Job obj) => Enqueue(obj, null);

    private void Enqueue(V1Job? before, V1Job? after)
    {
        foreach (var key in mapper.Map(before, after))
        {
            queue.Add(key);
        }
    }
}
