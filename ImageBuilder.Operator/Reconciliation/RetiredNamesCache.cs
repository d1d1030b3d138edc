using System.Collections.Concurrent;
using k8s;
using k8s.Models;

namespace ImageBuilder.Operator.Reconciliation;

/// <summary>
/// The bridge's copy of <see cref="RetiredBuilds"/>' names per namespace, kept by a watch on that one ConfigMap (field
/// selector <c>metadata.name=image-builder-retired</c>), so a new request costs no read of it (issue 11: ingest). The
/// first ask for a namespace starts its watch; until the watch has listed, and from the moment it ends or fails until
/// it has listed again, <see cref="GetAsync"/> reads live, as the bridge always did.
/// </summary>
/// <remarks>
/// A copy lags the apiserver by the watch's delivery time, and retention writes the name moments before it deletes
/// the ImageBuild, so a copy can miss a name whose ImageBuild is already gone. The writer asks for a live read in the
/// two cases where that can happen to a request handled before (<see cref="MustReadLive"/>).
/// </remarks>
public sealed class RetiredNamesCache(IKubernetes kubernetes, RetiredBuilds retired, TimeProvider time, ILogger<RetiredNamesCache> logger) : IDisposable
{
    private const string FieldSelector = "metadata.name=" + RetiredBuilds.ConfigMapName;

    // The server ends each watch after this; the copy is then listed again (one small read a minute per namespace).
    // A watch still open well after it (a connection that died without a word) is given up, so a silent copy never
    // stays in use for longer than this plus the grace.
    private static readonly TimeSpan WatchTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan WatchGrace = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan InitialBackoff = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30);

    private readonly ConcurrentDictionary<string, Lazy<RetiredNamesView>> _views = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();

    /// <summary>True when retention may delete ImageBuilds, so the bridge has to look here.</summary>
    public bool Enabled => retired.Enabled;

    /// <summary>
    /// True when the writer must read the names live rather than from the copy: a message the broker redelivered (it may
    /// have been handled before, and the copy may not have seen its build retired yet; redeliveries are rare, so this
    /// costs nothing in the steady state), or a name that vanished between a 409 and the read after it (retention
    /// deleted it that very moment: the copy is the most likely not to have its name yet).
    /// </summary>
    public static bool MustReadLive(bool redelivered, bool nameVanished) => redelivered || nameVanished;

    /// <summary>The names remembered in <paramref name="ns"/>: from the watched copy when it is current and <paramref name="live"/> is false, else read live.</summary>
    public async Task<IReadOnlySet<string>> GetAsync(string ns, bool live, CancellationToken cancellationToken)
    {
        // Lazy: GetOrAdd may run its factory twice under a race, and each run would start a watch.
        var view = _views.GetOrAdd(ns, n => new Lazy<RetiredNamesView>(() => Start(n))).Value;
        if (!live && view.Names(time.GetUtcNow()) is { } names)
        {
            return names;
        }
        return await retired.ReadAsync(ns, cancellationToken);
    }

    public void Dispose()
    {
        _stopping.Cancel();
        _stopping.Dispose();
    }

    private RetiredNamesView Start(string ns)
    {
        var view = new RetiredNamesView();
        var stop = _stopping.Token;
        _ = Task.Run(() => WatchAsync(ns, view, stop), stop);
        return view;
    }

    private async Task WatchAsync(string ns, RetiredNamesView view, CancellationToken stop)
    {
        var backoff = InitialBackoff;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                var list = await kubernetes.CoreV1.ListNamespacedConfigMapAsync(ns, fieldSelector: FieldSelector, cancellationToken: stop);
                view.Apply(WatchEventType.Added, list.Items.FirstOrDefault());
                var opened = time.GetTimestamp();
                await WatchFromAsync(ns, view, list.Metadata.ResourceVersion, stop);
                // Listed again at once after a watch that ran; one that ends at once backs off like a failure.
                backoff = time.GetElapsedTime(opened) >= InitialBackoff ? InitialBackoff : Next(backoff);
                view.Invalidate();
                if (backoff > InitialBackoff)
                {
                    await Task.Delay(backoff, time, stop);
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
#pragma warning disable CA1031 // Any failure of the watch means the same: read live until it has listed again.
            catch (Exception e)
#pragma warning restore CA1031
            {
                view.Invalidate();
                Log.RetiredNamesWatchFailed(logger, ns, e.GetType().Name, e.Message, backoff);
                try
                {
                    await Task.Delay(backoff, time, stop);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
                backoff = Next(backoff);
            }
        }
    }

    private async Task WatchFromAsync(string ns, RetiredNamesView view, string resourceVersion, CancellationToken stop)
    {
        using var deadline = new CancellationTokenSource(WatchTimeout + WatchGrace, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(stop, deadline.Token);
        Exception? error = null;
        try
        {
            await foreach (var (type, map) in kubernetes.CoreV1.WatchListNamespacedConfigMapAsync(ns, allowWatchBookmarks: true, fieldSelector: FieldSelector,
                resourceVersion: resourceVersion, timeoutSeconds: (int)WatchTimeout.TotalSeconds, onError: e => error = e, cancellationToken: linked.Token))
            {
                if (type == WatchEventType.Error)
                {
                    break;
                }
                view.Apply(type, map);
            }
        }
        catch (HttpRequestException) when (!stop.IsCancellationRequested)
        {
            // KubernetesClient reports a watch the server ended without a single event as a transport error; either way
            // the copy is listed again.
        }
        catch (OperationCanceledException) when (!stop.IsCancellationRequested)
        {
            // Open past its timeout and the grace: taken as dead.
        }
        if (error is not null && !stop.IsCancellationRequested)
        {
            Log.RetiredNamesWatchFailed(logger, ns, error.GetType().Name, error.Message, TimeSpan.Zero);
        }
    }

    private static TimeSpan Next(TimeSpan backoff) => backoff * 2 > MaxBackoff ? MaxBackoff : backoff * 2;
}

/// <summary>
/// One namespace's copy of the retired names, as its watch last saw the ConfigMap; null while not current. Pure state,
/// so the rules (what an event does, when an entry expires) are tested without a cluster.
/// </summary>
public sealed class RetiredNamesView
{
    private volatile Snapshot? _current;

    /// <summary>True while the copy may be used.</summary>
    public bool IsCurrent => _current is not null;

    /// <summary>Takes what a list (as <see cref="WatchEventType.Added"/>, null when there is no ConfigMap) or watch event says.</summary>
    public void Apply(WatchEventType type, V1ConfigMap? map)
    {
        switch (type)
        {
            case WatchEventType.Added or WatchEventType.Modified:
                _current = new Snapshot(RetiredBuilds.Entries(map?.Data).ToList());
                break;
            case WatchEventType.Deleted:
                _current = new Snapshot([]);
                break;
            default:
                // A bookmark changes nothing here; an error event ends the watch, which invalidates.
                break;
        }
    }

    /// <summary>The watch ended or failed: live reads until it has listed again.</summary>
    public void Invalidate() => _current = null;

    /// <summary>The names still remembered at <paramref name="now"/>, or null when the copy is not current.</summary>
    public IReadOnlySet<string>? Names(DateTimeOffset now) => _current?.NamesAt(now);

    /// <summary>
    /// The entries, and the set of live names computed once per change (not once per message: the map may hold thousands)
    /// and again only when its earliest entry expires.
    /// </summary>
    private sealed class Snapshot(IReadOnlyList<(string Name, DateTimeOffset Until)> entries)
    {
        private volatile Computed? _computed;

        public HashSet<string> NamesAt(DateTimeOffset now)
        {
            if (_computed is { } c && now < c.ValidUntil)
            {
                return c.Names;
            }
            var alive = entries.Where(e => e.Until > now).ToList();
            var computed = new Computed(alive.Select(e => e.Name).ToHashSet(StringComparer.Ordinal), alive.Count == 0 ? DateTimeOffset.MaxValue : alive.Min(e => e.Until));
            _computed = computed;
            return computed.Names;
        }

        private sealed record Computed(HashSet<string> Names, DateTimeOffset ValidUntil);
    }
}
