namespace ImageBuilder.Operator.Controllers.Client;

/// <summary>
/// Notifications from a <see cref="ResourceInformer{T}"/> (client-go's ResourceEventHandler). Called on the
/// informer's threads after its cache was updated; keep them short (enqueue a key) and thread-safe.
/// </summary>
public interface IInformerHandler<in T>
{
    void OnAdd(T obj);

    /// <summary>A change, or a periodic resync; a resync passes the same instance as both arguments.</summary>
    void OnUpdate(T oldObj, T newObj);

    void OnDelete(T obj);
}
