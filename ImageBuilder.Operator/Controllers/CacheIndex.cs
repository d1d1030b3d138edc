using k8s;
using k8s.Models;

namespace ImageBuilder.Operator.Controllers;

/// <summary>
/// A secondary index of an informer's cache (client-go's Indexers): <see cref="KeyOf"/> names the key an object is
/// filed under, or null for none. Registered as a service before the informer of its type starts (beside the type's
/// <see cref="Client.CacheTransform{T}"/>), so that reading the objects of one key (<see cref="IObjectCache{T}.ByIndex"/>)
/// costs their number, not the size of the cache.
/// </summary>
/// <param name="Name">Identifies the index; unique per type.</param>
/// <param name="KeyOf">
/// Pure and cheap: it runs on the cached (transformed) object at every add and change the informer sees. Keys compare
/// ordinally.
/// </param>
public sealed record CacheIndex<T>(string Name, Func<T, string?> KeyOf)
    where T : class, IKubernetesObject<V1ObjectMeta>;
