using k8s;
using k8s.Models;

namespace ImageBuilder.Operator.Controllers;

/// <summary>
/// Read access to an informer's in-memory copy of the watched objects. The objects are shared:
/// callers must not mutate them (copy before changing, as client-go's DeepCopy rule says).
/// </summary>
public interface IObjectCache<T>
    where T : class, IKubernetesObject<V1ObjectMeta>
{
    /// <summary>True once the first full list has been loaded.</summary>
    bool HasSynced { get; }

    T? Get(ObjectKey key);

    /// <summary>All cached objects, or those of one namespace when <paramref name="namespace"/> is given.</summary>
    IReadOnlyList<T> List(string? @namespace = null);

    Task WaitForSyncAsync(CancellationToken cancellationToken);
}
