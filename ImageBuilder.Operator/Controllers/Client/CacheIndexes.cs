using k8s;
using k8s.Models;

namespace ImageBuilder.Operator.Controllers.Client;

/// <summary>
/// The secondary indexes of one <see cref="ResourceInformer{T}"/> (client-go's Indexer beside its store): per index,
/// each key and the objects filed under it. The informer's one list/watch loop keeps them in step with the cache;
/// any thread reads them.
/// </summary>
/// <param name="onKeyFailed">Told when a key function throws: the object is then filed under no key of that index, and the cache goes on.</param>
internal sealed class CacheIndexes<T>(Action<string, Exception> onKeyFailed)
    where T : class, IKubernetesObject<V1ObjectMeta>
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Index> _indexes = new(StringComparer.Ordinal);

    /// <summary>Adds <paramref name="index"/>, filing the objects already cached; the same index twice is kept once.</summary>
    public void Add(CacheIndex<T> index, IEnumerable<KeyValuePair<ObjectKey, T>> cached)
    {
        ArgumentNullException.ThrowIfNull(index);
        lock (_gate)
        {
            if (_indexes.TryGetValue(index.Name, out var known))
            {
                if (known.Definition != index)
                {
                    throw new ArgumentException($"{typeof(T).Name} already has another cache index named '{index.Name}'", nameof(index));
                }
                return;
            }
            var added = new Index(index, onKeyFailed);
            _indexes[index.Name] = added;
            foreach (var (key, obj) in cached)
            {
                added.Set(key, obj);
            }
        }
    }

    /// <summary>Files <paramref name="obj"/>, new or changed, under its keys now (and no longer under keys it had).</summary>
    public void Set(ObjectKey key, T obj)
    {
        lock (_gate)
        {
            foreach (var index in _indexes.Values)
            {
                index.Set(key, obj);
            }
        }
    }

    public void Remove(ObjectKey key)
    {
        lock (_gate)
        {
            foreach (var index in _indexes.Values)
            {
                index.Remove(key);
            }
        }
    }

    public IReadOnlyList<T> Get(CacheIndex<T> index, string key)
    {
        ArgumentNullException.ThrowIfNull(index);
        lock (_gate)
        {
            return _indexes.TryGetValue(index.Name, out var found)
                ? found.Get(key)
                : throw new InvalidOperationException($"No cache index named '{index.Name}' was registered for {typeof(T).Name} before its informer started");
        }
    }

    private sealed class Index(CacheIndex<T> definition, Action<string, Exception> onKeyFailed)
    {
        private readonly Dictionary<string, Dictionary<ObjectKey, T>> _objects = new(StringComparer.Ordinal);

        public CacheIndex<T> Definition => definition;

        // Each object's key, so a change or a delete finds where it was filed without the object as it was.
        private readonly Dictionary<ObjectKey, string> _keys = [];

        public void Set(ObjectKey key, T obj)
        {
            var value = KeyOf(obj);
            if (_keys.TryGetValue(key, out var old) && !string.Equals(old, value, StringComparison.Ordinal))
            {
                Remove(key);
            }
            if (value is null)
            {
                return;
            }
            if (!_objects.TryGetValue(value, out var filed))
            {
                _objects[value] = filed = [];
            }
            filed[key] = obj;
            _keys[key] = value;
        }

        public void Remove(ObjectKey key)
        {
            if (!_keys.Remove(key, out var value))
            {
                return;
            }
            var filed = _objects[value];
            filed.Remove(key);
            if (filed.Count == 0)
            {
                _objects.Remove(value);
            }
        }

        public IReadOnlyList<T> Get(string key) => _objects.TryGetValue(key, out var filed) ? [.. filed.Values] : [];

        private string? KeyOf(T obj)
        {
            try
            {
                return definition.KeyOf(obj);
            }
            catch (Exception e)
            {
                // A faulty key function must not stop the cache from following the server (as with a faulty handler).
                onKeyFailed(definition.Name, e);
                return null;
            }
        }
    }
}
