using ImageBuilder.Operator.Controllers.Client;
using ImageBuilder.Operator.Controllers.Queues;
using k8s;
using k8s.Models;

namespace ImageBuilder.Operator.Controllers.Hosting;

/// <summary>Queues the keys an <see cref="IKeyMapper{TPrimary, TWatched}"/> names for each event of a watched object (resyncs excepted).</summary>
public sealed class EnqueueMapped<TPrimary, TWatched>(WorkQueue queue, IKeyMapper<TPrimary, TWatched> mapper) : IInformerHandler<TWatched>
    where TPrimary : class, IKubernetesObject<V1ObjectMeta>
    where TWatched : class, IKubernetesObject<V1ObjectMeta>
{
    public void OnAdd(TWatched obj) => Enqueue(null, obj);

    public void OnUpdate(TWatched oldObj, TWatched newObj)
    {
        if (!ReferenceEquals(oldObj, newObj))
        {
            Enqueue(oldObj, newObj);
        }
    }

    public void OnDelete(TWatched obj) => Enqueue(obj, null);

    private void Enqueue(TWatched? before, TWatched? after)
    {
        foreach (var key in mapper.Map(before, after))
        {
            queue.Add(key);
        }
    }
}
