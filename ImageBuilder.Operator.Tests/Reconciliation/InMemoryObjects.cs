using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using ImageBuilder.Operator.Controllers;
using ImageBuilder.Operator.Controllers.Client;
using k8s;
using k8s.Models;

namespace ImageBuilder.Operator.Tests.Reconciliation;

/// <summary>
/// In-memory objects behind the runtime's seams (read, list, create, replace, status write, merge patch, delete), for
/// step tests: our own interfaces, not a fake of Kubernetes. They answer as the seams' contracts say: 409 for a name
/// already taken, a stale resourceVersion or a uid precondition that no longer holds, 404 for a missing object;
/// <see cref="FailNext"/> queues any other answer.
/// Label selectors of the form <c>k=v[,k=v]</c>, the only form the steps use. Also the read side of an informer cache
/// holding the same objects (cache reads are not counted in <see cref="Reads"/>, which are the live ones).
/// </summary>
internal sealed class InMemoryObjects<T> : IObjectReader<T>, IObjectLister<T>, IObjectCreator<T>, IObjectReplacer<T>, IStatusWriter<T>, IObjectPatcher<T>, IObjectDeleter<T>, IObjectCache<T>
    where T : class, IKubernetesObject<V1ObjectMeta>
{
    private readonly Dictionary<(string Namespace, string Name), T> _objects = [];
    private readonly Dictionary<string, Queue<Exception>> _failures = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Queue<Action>> _concurrent = new(StringComparer.Ordinal);
    private int _version;

    public List<(string Namespace, string Name)> Reads { get; } = [];

    public List<(string Namespace, string Name)> Deleted { get; } = [];

    /// <summary>What each successful create, replace and status write sent (copies, as they were sent).</summary>
    public List<T> Created { get; } = [];

    public List<T> Replaced { get; } = [];

    public List<T> StatusWrites { get; } = [];

    /// <summary>Every successful write or delete as "operation namespace/name", in order; share one list between fakes to see the order across types.</summary>
    public List<string> Journal { get; init; } = [];

    /// <summary>Live lists made (<see cref="ListAsync"/>), by label selector.</summary>
    public List<string> Lists { get; } = [];

    public InMemoryObjects<T> With(T obj)
    {
        _objects[(obj.Metadata.NamespaceProperty, obj.Metadata.Name)] = obj;
        return this;
    }

    /// <summary>Removes an object as another client would, unseen by <see cref="Deleted"/>.</summary>
    public InMemoryObjects<T> Without(string @namespace, string name)
    {
        _objects.Remove((@namespace, name));
        return this;
    }

    /// <summary>The next call of <paramref name="operation"/> (a method name, e.g. <c>nameof(CreateAsync)</c>) throws <paramref name="error"/>.</summary>
    public InMemoryObjects<T> FailNext(string operation, Exception error)
    {
        if (!_failures.TryGetValue(operation, out var queue))
        {
            _failures[operation] = queue = new Queue<Exception>();
        }
        queue.Enqueue(error);
        return this;
    }

    /// <summary>Another client's change, made just before the next call of <paramref name="operation"/> is answered.</summary>
    public InMemoryObjects<T> BeforeNext(string operation, Action concurrent)
    {
        if (!_concurrent.TryGetValue(operation, out var queue))
        {
            _concurrent[operation] = queue = new Queue<Action>();
        }
        queue.Enqueue(concurrent);
        return this;
    }

    public Task<T?> GetAsync(string @namespace, string name, CancellationToken cancellationToken)
    {
        Answer(nameof(GetAsync), cancellationToken);
        Reads.Add((@namespace, name));
        return Task.FromResult(_objects.GetValueOrDefault((@namespace, name)));
    }

    public Task<IReadOnlyList<T>> ListAsync(string @namespace, string labelSelector, CancellationToken cancellationToken)
    {
        Answer(nameof(ListAsync), cancellationToken);
        Lists.Add(labelSelector);
        var wanted = labelSelector.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(term => term.Split('=', 2)).ToList();
        IReadOnlyList<T> found = [.. _objects.Where(o => o.Key.Namespace == @namespace).Select(o => o.Value)
            .Where(o => wanted.All(w => o.Metadata.Labels?.TryGetValue(w[0], out var value) == true && value == w[1]))];
        return Task.FromResult(found);
    }

    public Task<T> CreateAsync(string @namespace, T obj, CancellationToken cancellationToken)
    {
        Answer(nameof(CreateAsync), cancellationToken);
        if (_objects.ContainsKey((@namespace, obj.Metadata.Name)))
        {
            throw ApiErrors.Status(HttpStatusCode.Conflict, $"\"{obj.Metadata.Name}\" already exists");
        }
        Created.Add(Copy(obj));
        return Task.FromResult(Store(@namespace, obj, nameof(CreateAsync)));
    }

    public Task<T> ReplaceAsync(string @namespace, T obj, CancellationToken cancellationToken)
    {
        Answer(nameof(ReplaceAsync), cancellationToken);
        CheckVersion(@namespace, obj);
        Replaced.Add(Copy(obj));
        return Task.FromResult(Store(@namespace, obj, nameof(ReplaceAsync)));
    }

    public Task<T> ReplaceStatusAsync(string @namespace, T obj, CancellationToken cancellationToken)
    {
        Answer(nameof(ReplaceStatusAsync), cancellationToken);
        CheckVersion(@namespace, obj);
        StatusWrites.Add(Copy(obj));
        return Task.FromResult(Store(@namespace, obj, nameof(ReplaceStatusAsync)));
    }

    /// <summary>Applies the merge patch as RFC 7386 says (an object merges field by field, null removes, anything else replaces).</summary>
    public Task<T> MergePatchAsync(string @namespace, string name, object patch, CancellationToken cancellationToken)
    {
        Answer(nameof(MergePatchAsync), cancellationToken);
        if (!_objects.TryGetValue((@namespace, name), out var stored))
        {
            throw ApiErrors.Status(HttpStatusCode.NotFound, $"\"{name}\" not found");
        }
        var merged = Merge(JsonNode.Parse(KubernetesJson.Serialize(stored)), JsonNode.Parse(KubernetesJson.Serialize(patch)));
        return Task.FromResult(Store(@namespace, KubernetesJson.Deserialize<T>(merged!.ToJsonString()), nameof(MergePatchAsync)));
    }

    public Task DeleteAsync(string @namespace, string name, CancellationToken cancellationToken)
    {
        Answer(nameof(DeleteAsync), cancellationToken);
        Remove(@namespace, name);
        return Task.CompletedTask;
    }

    public Task DeleteAsync(string @namespace, string name, string uid, CancellationToken cancellationToken)
    {
        Answer(nameof(DeleteAsync), cancellationToken);
        if (!_objects.TryGetValue((@namespace, name), out var stored))
        {
            throw ApiErrors.Status(HttpStatusCode.NotFound, $"\"{name}\" not found");
        }
        if (stored.Metadata.Uid != uid)
        {
            throw ApiErrors.Status(HttpStatusCode.Conflict, $"Precondition failed: UID in precondition: {uid}, UID in object meta: {stored.Metadata.Uid}");
        }
        Remove(@namespace, name);
        return Task.CompletedTask;
    }

    public bool HasSynced => true;

    public T? Get(ObjectKey key) => _objects.GetValueOrDefault((key.Namespace, key.Name));

    public IReadOnlyList<T> List(string? @namespace = null) =>
        [.. _objects.Where(o => @namespace is null || o.Key.Namespace == @namespace).Select(o => o.Value)];

    public Task WaitForSyncAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private void CheckVersion(string @namespace, T obj)
    {
        if (!_objects.TryGetValue((@namespace, obj.Metadata.Name), out var stored))
        {
            throw ApiErrors.Status(HttpStatusCode.NotFound, $"\"{obj.Metadata.Name}\" not found");
        }
        if (obj.Metadata.ResourceVersion != stored.Metadata.ResourceVersion)
        {
            throw ApiErrors.Status(HttpStatusCode.Conflict, $"Operation cannot be fulfilled on \"{obj.Metadata.Name}\": the object has been modified");
        }
    }

    private void Remove(string @namespace, string name)
    {
        Deleted.Add((@namespace, name));
        _objects.Remove((@namespace, name));
        Journal.Add($"{nameof(DeleteAsync)} {@namespace}/{name}");
    }

    private static JsonNode? Merge(JsonNode? target, JsonNode? patch)
    {
        if (patch is not JsonObject changes)
        {
            return patch?.DeepClone();
        }
        var result = target is JsonObject current ? (JsonObject)current.DeepClone() : [];
        foreach (var (field, value) in changes)
        {
            if (value is null)
            {
                result.Remove(field);
                continue;
            }
            result[field] = Merge(result[field], value);
        }
        return result;
    }

    /// <summary>Stores a copy with a new resourceVersion and returns another: the caller's object is never changed, as with the real client.</summary>
    private T Store(string @namespace, T obj, string operation)
    {
        var stored = Copy(obj);
        stored.Metadata.NamespaceProperty = @namespace;
        stored.Metadata.ResourceVersion = (++_version).ToString(CultureInfo.InvariantCulture);
        _objects[(@namespace, stored.Metadata.Name)] = stored;
        Journal.Add($"{operation} {@namespace}/{stored.Metadata.Name}");
        return Copy(stored);
    }

    /// <summary>Runs a queued concurrent change, honours cancellation as the real client does, then throws a queued failure.</summary>
    private void Answer(string operation, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (_concurrent.TryGetValue(operation, out var changes) && changes.TryDequeue(out var change))
        {
            change();
        }
        if (_failures.TryGetValue(operation, out var queue) && queue.TryDequeue(out var error))
        {
            throw error;
        }
    }

    private static T Copy(T obj) => KubernetesJson.Deserialize<T>(KubernetesJson.Serialize(obj));
}
