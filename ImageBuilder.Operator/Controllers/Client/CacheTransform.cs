using k8s;
using k8s.Models;

namespace ImageBuilder.Operator.Controllers.Client;

/// <summary>
/// Shrinks an object before an informer keeps it (client-go's SetTransform): the cache holds only what the
/// operator reads. Returns the object to keep, which may be the same instance changed in place (the informer
/// owns the objects it received).
/// </summary>
public delegate T CacheTransform<T>(T obj)
    where T : class, IKubernetesObject<V1ObjectMeta>;
