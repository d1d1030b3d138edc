namespace ImageBuilder.Operator.Controllers.Queues;

/// <summary>
/// A de-duplicating queue of object keys with client-go's workqueue semantics: a key queued twice is
/// processed once; a key is never handed to two workers at once (added while in flight, it comes back
/// after <see cref="Done"/>); delayed and rate-limited adds wait on the injected <see cref="TimeProvider"/>.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1711", Justification = "It is a queue; the name follows client-go's workqueue.")]
public sealed class WorkQueue : IDisposable
{
    private readonly Lock _gate = new();
    private readonly Queue<ObjectKey> _ready = new();
    private readonly HashSet<ObjectKey> _dirty = [];
    private readonly HashSet<ObjectKey> _processing = [];
    private readonly Dictionary<ObjectKey, DelayedAdd> _waiting = [];
    private readonly SemaphoreSlim _available = new(0);
    private readonly IWorkQueueRateLimiter _rateLimiter;
    private readonly TimeProvider _time;
    private bool _disposed;

    public WorkQueue(IWorkQueueRateLimiter rateLimiter, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(rateLimiter);
        ArgumentNullException.ThrowIfNull(time);
        _rateLimiter = rateLimiter;
        _time = time;
    }

    /// <summary>Keys ready to be handed out (not counting delayed or in-flight ones).</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _ready.Count;
            }
        }
    }

    /// <summary>Keys handed out and not yet <see cref="Done"/>.</summary>
    public int InFlightCount
    {
        get
        {
            lock (_gate)
            {
                return _processing.Count;
            }
        }
    }

    /// <summary>
    /// No key ready and none in flight, read at one instant (delayed keys may be waiting): whatever was added
    /// before has been reconciled.
    /// </summary>
    public bool IsIdle
    {
        get
        {
            lock (_gate)
            {
                return _ready.Count == 0 && _processing.Count == 0;
            }
        }
    }

    /// <summary>Keys waiting for a delay or a backoff to pass.</summary>
    public int DelayedCount
    {
        get
        {
            lock (_gate)
            {
                return _waiting.Count;
            }
        }
    }

    public void Add(ObjectKey key)
    {
        lock (_gate)
        {
            if (_disposed || !_dirty.Add(key) || _processing.Contains(key))
            {
                return;
            }
            _ready.Enqueue(key);
        }
        _available.Release();
    }

    /// <summary>Adds <paramref name="key"/> once <paramref name="delay"/> has passed; an earlier pending add of the same key wins.</summary>
    public void AddAfter(ObjectKey key, TimeSpan delay)
    {
        if (delay <= TimeSpan.Zero)
        {
            Add(key);
            return;
        }
        var readyAt = _time.GetUtcNow() + delay;
        lock (_gate)
        {
            if (_disposed || (_waiting.TryGetValue(key, out var pending) && pending.ReadyAt <= readyAt))
            {
                return;
            }
            pending?.Timer?.Dispose();
            var entry = new DelayedAdd(this, key, readyAt);
            _waiting[key] = entry;
            entry.Timer = _time.CreateTimer(static state => ((DelayedAdd)state!).Fire(), entry, delay, Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>Adds <paramref name="key"/> after its rate-limited backoff (a failure).</summary>
    public void AddRateLimited(ObjectKey key) => AddAfter(key, _rateLimiter.When(key));

    /// <summary>Clears the failure history of <paramref name="key"/> (a success).</summary>
    public void Forget(ObjectKey key) => _rateLimiter.Forget(key);

    public int NumRequeues(ObjectKey key) => _rateLimiter.NumRequeues(key);

    /// <summary>Waits for a ready key and marks it in flight; the caller must call <see cref="Done"/>.</summary>
    public async ValueTask<ObjectKey> GetAsync(CancellationToken cancellationToken)
    {
        await _available.WaitAsync(cancellationToken);
        return TakeReady();
    }

    /// <summary>Takes a ready key without waiting; false when none is ready.</summary>
    public bool TryGet(out ObjectKey key)
    {
        if (!_available.Wait(0))
        {
            key = default;
            return false;
        }
        key = TakeReady();
        return true;
    }

    /// <summary>Ends processing of <paramref name="key"/>; if it was added meanwhile, it is queued again now.</summary>
    public void Done(ObjectKey key)
    {
        lock (_gate)
        {
            if (!_processing.Remove(key) || !_dirty.Contains(key) || _disposed)
            {
                return;
            }
            _ready.Enqueue(key);
        }
        _available.Release();
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }
            _disposed = true;
            foreach (var pending in _waiting.Values)
            {
                pending.Timer?.Dispose();
            }
            _waiting.Clear();
        }
        _available.Dispose();
    }

    private ObjectKey TakeReady()
    {
        lock (_gate)
        {
            var key = _ready.Dequeue();
            _dirty.Remove(key);
            _processing.Add(key);
            return key;
        }
    }

    private void OnDelayElapsed(DelayedAdd entry)
    {
        lock (_gate)
        {
            // A later AddAfter with an earlier deadline replaced this entry; its own timer does the add.
            if (!_waiting.TryGetValue(entry.Key, out var current) || !ReferenceEquals(current, entry))
            {
                return;
            }
            _waiting.Remove(entry.Key);
        }
        entry.Timer?.Dispose();
        Add(entry.Key);
    }

    private sealed class DelayedAdd(WorkQueue owner, ObjectKey key, DateTimeOffset readyAt)
    {
        public ObjectKey Key { get; } = key;
        public DateTimeOffset ReadyAt { get; } = readyAt;
        public ITimer? Timer { get; set; }

        public void Fire() => owner.OnDelayElapsed(this);
    }
}
