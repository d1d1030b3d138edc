using ImageBuilder.Operator.Controllers.Client;
using ImageBuilder.Operator.Controllers.Queues;
using k8s;
using k8s.Models;

namespace ImageBuilder.Operator.Controllers.Hosting;

/// <summary>A watch of <typeparamref name="TWatched"/> objects whose events a handler made for the queue turns into keys.</summary>
internal sealed class InformerWatch<TPrimary, TWatched>(ResourceInformer<TWatched> informer, Func<WorkQueue, IInformerHandler<TWatched>> handler)
    : IControllerWatch<TPrimary>
    where TPrimary : class, IKubernetesObject<V1ObjectMeta>
    where TWatched : class, IKubernetesObject<V1ObjectMeta>
{
    public IInformer Informer => informer;

    public void Attach(WorkQueue queue) => informer.AddHandler(handler(queue));
}
