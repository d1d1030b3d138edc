using k8s;
using k8s.Models;

namespace ImageBuilder.Operator.Controllers;

/// <summary>
/// Keys of <typeparamref name="TPrimary"/> objects to reconcile when a watched <typeparamref name="TWatched"/> changes
/// (controller-runtime's EnqueueRequestsFromMapFunc), for links an ownerReference does not express: e.g. the objects
/// waiting for a resource a deleted one frees. Registered with <see cref="ControllerBuilder{TPrimary}.Watches{TWatched, TMapper}"/>.
/// Called on the informer's thread after its cache was updated, never for a resync; keep it short.
/// </summary>
/// <typeparam name="TPrimary">The controller's primary type, whose keys are returned.</typeparam>
/// <typeparam name="TWatched">The watched type.</typeparam>
public interface IKeyMapper<TPrimary, in TWatched>
    where TPrimary : class, IKubernetesObject<V1ObjectMeta>
    where TWatched : class, IKubernetesObject<V1ObjectMeta>
{
    /// <param name="before">The object before the change; null when it was added.</param>
    /// <param name="after">The object after the change; null when it was deleted.</param>
    IEnumerable<ObjectKey> Map(TWatched? before, TWatched? after);
}
