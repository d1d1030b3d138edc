using ImageBuilder.Operator.Controllers.Client;
using ImageBuilder.Operator.Controllers.Queues;
using k8s;
using k8s.Models;

namespace ImageBuilder.Operator.Controllers.Hosting;

/// <summary>
/// One source of keys for the controller of <typeparamref name="TPrimary"/> besides its own informer: an informer of
/// another type and the handler that turns its events into primary keys. Made by <see cref="ControllerBuilder{TPrimary}"/>;
/// <see cref="ControllerHost{TEntity}"/> attaches each to its queue and runs the informers.
/// </summary>
public interface IControllerWatch<TPrimary>
    where TPrimary : class, IKubernetesObject<V1ObjectMeta>
{
    /// <summary>The informer whose events this watch handles; several watches may share one.</summary>
    IInformer Informer { get; }

    /// <summary>Starts queuing keys on <paramref name="queue"/>; called once, before the informer runs.</summary>
    void Attach(WorkQueue queue);
}
