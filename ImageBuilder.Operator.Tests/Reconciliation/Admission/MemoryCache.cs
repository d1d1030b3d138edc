using ImageBuilder.Operator.Controllers;
using k8s;
using k8s.Models;

namespace ImageBuilder.Operator.Tests.Reconciliation.Admission;

/// <summary>An informer cache's read side over a dictionary the test fills (what the informer would hold).</summary>
internal sealed class MemoryCache<T> : IObjectCache<T>
    where T : class, IKubernetesObject<V1ObjectMeta>
{
    private readonly Dictionary<ObjectKey, T> _items = [];

    public bool HasSynced => true;

    public void Put(T obj) => _items[ObjectKey.From(obj)] = obj;

    public void Remove(T obj) => _items.Remove(ObjectKey.From(obj));

    public T? Get(ObjectKey key) => _items.GetValueOrDefault(key);

    public IReadOnlyList<T> List(string? @namespace = null) =>
        [.. _items.Where(p => @namespace is null || p.Key.Namespace == @namespace).Select(p => p.Value)];

    public Task WaitForSyncAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
