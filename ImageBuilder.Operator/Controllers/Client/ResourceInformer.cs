using System.Collections.Concurrent;
using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace ImageBuilder.Operator.Controllers.Client;

/// <summary>
/// Keeps an in-memory copy of one resource type and tells handlers what changed (client-go's SharedInformer,
/// YARP's ResourceInformer): list, then watch from the list's resourceVersion; a closed or stalled watch resumes
/// from the last resourceVersion seen, a 410 Gone lists again, failures back off; every
/// <see cref="InformerSettings.ResyncPeriod"/> all cached objects are announced again. <see cref="IsCurrent"/> says
/// whether the cache follows the server right now, for readers that must not act on a copy that may have missed events.
/// </summary>
public sealed class ResourceInformer<T> : IObjectCache<T>, IInformer
    where T : class, IKubernetesObject<V1ObjectMeta>
{
    private readonly ConcurrentDictionary<ObjectKey, T> _store = new();
    private readonly TaskCompletionSource _synced = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock _handlersGate = new();
    private readonly IResourceClient<T> _client;
    private readonly InformerSettings _settings;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly string _kind = typeof(T).Name;
    private readonly CacheTransform<T> _transform;
    private readonly CacheIndexes<T> _indexes;
    private IInformerHandler<T>[] _handlers = [];
    private string? _resourceVersion;
    private int _failures;
    private volatile bool _current;
    private int _listCount;
    private int _watchCount;
    private int _totalFailures;

    /// <param name="client">Lists and watches.</param>
    /// <param name="settings">Timing.</param>
    /// <param name="time">The clock.</param>
    /// <param name="logger">The log.</param>
    /// <param name="transform">Applied to every object before it is kept or announced; by default <see cref="CacheTransforms.Metadata{T}"/>.</param>
    public ResourceInformer(IResourceClient<T> client, InformerSettings settings, TimeProvider time, ILogger<ResourceInformer<T>> logger, CacheTransform<T>? transform = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(logger);
        _client = client;
        _settings = settings;
        _time = time;
        _logger = logger;
        _transform = transform ?? CacheTransforms.Metadata;
        _indexes = new CacheIndexes<T>((index, e) => Log.IndexKeyFailed(_logger, _kind, index, e));
    }

    public bool HasSynced => _synced.Task.IsCompleted;

    public string Kind => _kind;

    public int Count => _store.Count;

    /// <summary>
    /// True while the cache follows the server, behind it by no more than a watch's delivery time: false until the first
    /// list, and from a failed list or watch, a stalled watch or a 410 until the next list, or until a watch resumed after
    /// it has delivered an event or ended on schedule (either shows that nothing since the last resourceVersion was
    /// missed). A watch the server ends on schedule is resumed at once and leaves it true.
    /// </summary>
    public bool IsCurrent => _current;

    /// <summary>Full lists done so far (the first, plus one per 410 Gone); for diagnostics and tests.</summary>
    public int ListCount => Volatile.Read(ref _listCount);

    /// <summary>Watches opened so far; for diagnostics and tests.</summary>
    public int WatchCount => Volatile.Read(ref _watchCount);

    /// <summary>List or watch attempts that failed and were retried with backoff; for diagnostics and tests.</summary>
    public int FailureCount => Volatile.Read(ref _totalFailures);

    public void AddHandler(IInformerHandler<T> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        lock (_handlersGate)
        {
            _handlers = [.. _handlers, handler];
        }
    }

    /// <summary>Keeps <paramref name="index"/> from now on (<see cref="ByIndex"/>); add each before <see cref="RunAsync"/>.</summary>
    public void AddIndex(CacheIndex<T> index) => _indexes.Add(index, _store);

    public T? Get(ObjectKey key) => _store.TryGetValue(key, out var obj) ? obj : null;

    public IReadOnlyList<T> List(string? @namespace = null) =>
        string.IsNullOrEmpty(@namespace)
            ? [.. _store.Values]
            : [.. _store.Where(p => p.Key.Namespace == @namespace).Select(p => p.Value)];

    /// <summary>From the index, in time proportional to what it returns; an index not added (<see cref="AddIndex"/>) throws.</summary>
    public IReadOnlyList<T> ByIndex(CacheIndex<T> index, string key) => _indexes.Get(index, key);

    public Task WaitForSyncAsync(CancellationToken cancellationToken) => _synced.Task.WaitAsync(cancellationToken);

    /// <summary>Lists and watches until <paramref name="cancellationToken"/> is cancelled.</summary>
    public Task RunAsync(CancellationToken cancellationToken) =>
        Task.WhenAll(ListAndWatchLoopAsync(cancellationToken), ResyncLoopAsync(cancellationToken));

    /// <summary>Announces every cached object again as an update of itself.</summary>
    public void Resync()
    {
        if (!HasSynced)
        {
            return;
        }
        foreach (var obj in _store.Values)
        {
            Notify(h => h.OnUpdate(obj, obj));
        }
    }

    private async Task ListAndWatchLoopAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                _resourceVersion ??= await ListAsync(cancellationToken);
                if (await WatchAsync(_resourceVersion, cancellationToken))
                {
                    Log.WatchGone(_logger, _kind, _resourceVersion);
                    _resourceVersion = null;
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (HttpOperationException e) when (e.Response?.StatusCode == HttpStatusCode.Gone)
            {
                _current = false;
                Log.WatchGone(_logger, _kind, _resourceVersion ?? "");
                _resourceVersion = null;
            }
            catch (Exception e)
            {
                await BackOffAsync(e, cancellationToken);
            }
        }
    }

    private async Task<string> ListAsync(CancellationToken cancellationToken)
    {
        var items = new List<T>();
        string? continueToken = null;
        string resourceVersion;
        do
        {
            var page = await _client.ListAsync(continueToken, cancellationToken);
            items.AddRange(page.Items.Select(i => _transform(i)));
            resourceVersion = page.ResourceVersion;
            continueToken = page.Continue;
        }
        while (continueToken is not null);
        Replace(items);
        Interlocked.Increment(ref _listCount);
        _failures = 0;
        Log.Listed(_logger, _kind, items.Count, resourceVersion);
        _current = true;
        _synced.TrySetResult();
        return resourceVersion;
    }

    /// <summary>Watches once; returns true when the server said the resourceVersion is gone (410).</summary>
    private async Task<bool> WatchAsync(string resourceVersion, CancellationToken cancellationToken)
    {
        var gone = false;
        var failed = false;
        void OnError(Exception e)
        {
            // The server reports an error and ends the watch: events may be missing until the next one has shown otherwise.
            failed = true;
            _current = false;
            if (e is KubernetesException { Status.Code: (int)HttpStatusCode.Gone })
            {
                gone = true;
                return;
            }
            Log.WatchError(_logger, _kind, e);
        }

        // The server ends the watch after WatchTimeout; one still open well after that sits on a dead connection.
        using var stalled = new CancellationTokenSource(_settings.WatchTimeout + _settings.WatchGrace, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, stalled.Token);
        Interlocked.Increment(ref _watchCount);
        try
        {
            await foreach (var (type, obj) in _client.WatchAsync(resourceVersion, _settings.WatchTimeout, OnError, linked.Token).WithCancellation(linked.Token))
            {
                Apply(type, obj);
                _failures = 0;
                // Delivered in order from the last resourceVersion: nothing before this event is missing.
                _current = !failed;
            }
        }
        catch (OperationCanceledException) when (stalled.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            _current = false;
            Log.WatchStalled(_logger, _kind);
            return gone;
        }
        // Ended on schedule: every change up to now has been delivered.
        _current = !failed;
        return gone;
    }

    private void Apply(WatchEventType type, T received)
    {
        var obj = _transform(received);
        var key = ObjectKey.From(obj);
        switch (type)
        {
            case WatchEventType.Added:
            case WatchEventType.Modified:
                Upsert(key, obj);
                break;
            case WatchEventType.Deleted:
                _store.TryRemove(key, out _);
                _indexes.Remove(key);
                Notify(h => h.OnDelete(obj));
                break;
            case WatchEventType.Bookmark:
            case WatchEventType.Error:
            default:
                break;
        }
        if (!string.IsNullOrEmpty(obj.Metadata?.ResourceVersion))
        {
            _resourceVersion = obj.Metadata.ResourceVersion;
        }
    }

    private void Upsert(ObjectKey key, T obj)
    {
        // Only the list/watch loop writes, so read-then-write needs no lock.
        if (_store.TryGetValue(key, out var old))
        {
            _store[key] = obj;
            _indexes.Set(key, obj);
            Notify(h => h.OnUpdate(old, obj));
            return;
        }
        _store[key] = obj;
        _indexes.Set(key, obj);
        Notify(h => h.OnAdd(obj));
    }

    /// <summary>Makes the cache equal a fresh list, announcing what appeared, changed or vanished meanwhile.</summary>
    private void Replace(List<T> items)
    {
        var fresh = new Dictionary<ObjectKey, T>();
        foreach (var item in items)
        {
            fresh[ObjectKey.From(item)] = item;
        }
        foreach (var (key, old) in _store)
        {
            if (!fresh.ContainsKey(key) && _store.TryRemove(key, out _))
            {
                _indexes.Remove(key);
                Notify(h => h.OnDelete(old));
            }
        }
        foreach (var (key, obj) in fresh)
        {
            Upsert(key, obj);
        }
    }

    private void Notify(Action<IInformerHandler<T>> call)
    {
        foreach (var handler in Volatile.Read(ref _handlers))
        {
            try
            {
                call(handler);
            }
            catch (Exception e)
            {
                // One faulty handler must not stop the cache from following the server.
                Log.HandlerThrew(_logger, _kind, e);
            }
        }
    }

    private async Task ResyncLoopAsync(CancellationToken cancellationToken)
    {
        if (_settings.ResyncPeriod <= TimeSpan.Zero)
        {
            return;
        }
        using var timer = new PeriodicTimer(_settings.ResyncPeriod, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                Resync();
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }

    private async Task BackOffAsync(Exception error, CancellationToken cancellationToken)
    {
        _current = false;
        _failures++;
        Interlocked.Increment(ref _totalFailures);
        var delay = ExponentialBackoff.Delay(_settings.InitialBackoff, _settings.MaxBackoff, _failures - 1);
        Log.ListWatchFailed(_logger, _kind, _failures, delay, error);
        try
        {
            await Task.Delay(delay, _time, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            // Stopping; the loop condition ends it.
        }
    }
}
