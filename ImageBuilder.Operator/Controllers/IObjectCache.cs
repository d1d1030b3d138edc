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

    /// <summary>
    /// The cached objects <paramref name="index"/> files under <paramref name="key"/>. An informer answers from the index it
    /// keeps, which must have been registered before it started; this default scans <see cref="List"/> (for caches that
    /// keep no index, such as an in-memory one in a test).
    /// </summary>
    IReadOnlyList<T> ByIndex(CacheIndex<T> index, string key)
    {
        ArgumentNullException.ThrowIfNull(index);
        return [.. List().Where(o => string.Equals(index.KeyOf(o), key, StringComparison.Ordinal))];
    }

    Task WaitForSyncAsync(CancellationToken cancellationToken);
}
