using ImageBuilder.Operator.Controllers.Client;
using k8s;
using k8s.Models;

namespace ImageBuilder.Operator.Tests.Reconciliation;

/// <summary>An in-memory <see cref="IObjectReader{T}"/> for step tests: our own seam, not a fake of Kubernetes.</summary>
internal sealed class InMemoryObjects<T> : IObjectReader<T>
    where T : class, IKubernetesObject<V1ObjectMeta>
{
    private readonly Dictionary<(string Namespace, string Name), T> _objects = [];

    public List<(string Namespace, string Name)> Reads { get; } = [];

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
}
