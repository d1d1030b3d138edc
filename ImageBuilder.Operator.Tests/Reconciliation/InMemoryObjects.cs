using ImageBuilder.Operator.Controllers;
using ImageBuilder.Operator.Controllers.Client;
using k8s;
using k8s.Models;

namespace ImageBuilder.Operator.Tests.Reconciliation;

/// <summary>
/// In-memory objects behind the runtime's read/list/delete seams, for step tests: our own interfaces, not a fake
/// of Kubernetes. Label selectors of the form <c>k=v[,k=v]</c>, the only form the steps use. Also the read side of an
/// informer cache holding the same objects (cache reads are not counted in <see cref="Reads"/>, which are the live ones).
/// </summary>
internal sealed class InMemoryObjects<T> : IObjectReader<T>, IObjectLister<T>, IObjectDeleter<T>, IObjectCache<T>
    where T : class, IKubernetesObject<V1ObjectMeta>
{
    private readonly Dictionary<(string Namespace, string Name), T> _objects = [];

    public List<(string Namespace, string Name)> Reads { get; } = [];

    public List<(string Namespace, string Name)> Deleted { get; } = [];

    /// <summary>Live lists made (<see cref="ListAsync"/>), by label selector.</summary>
    public List<string> Lists { get; } = [];

    public InMemoryObjects<T> With(T obj)
    {
        _objects[(obj.Metadata.NamespaceProperty, obj.Metadata.Name)] = obj;
        return this;
    }

    public Task<T?> GetAsync(string @namespace, string name, CancellationToken cancellationToken)
    {
        Reads.Add((@namespace, name));
        return Task.FromResult(_objects.GetValueOrDefault((@namespace, name)));
    }

    public Task<IReadOnlyList<T>> ListAsync(string @namespace, string labelSelector, CancellationToken cancellationToken)
    {
        Lists.Add(labelSelector);
        var wanted = labelSelector.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(term => term.Split('=', 2)).ToList();
        IReadOnlyList<T> found = [.. _objects.Where(o => o.Key.Namespace == @namespace).Select(o => o.Value)
            .Where(o => wanted.All(w => o.Metadata.Labels?.TryGetValue(w[0], out var value) == true && value == w[1]))];
        return Task.FromResult(found);
    }

    public Task DeleteAsync(string @namespace, string name, CancellationToken cancellationToken)
    {
        Deleted.Add((@namespace, name));
        _objects.Remove((@namespace, name));
        return Task.CompletedTask;
    }

    public bool HasSynced => true;

    public T? Get(ObjectKey key) => _objects.GetValueOrDefault((key.Namespace, key.Name));

    public IReadOnlyList<T> List(string? @namespace = null) =>
        [.. _objects.Where(o => @namespace is null || o.Key.Namespace == @namespace).Select(o => o.Value)];

    public Task WaitForSyncAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
