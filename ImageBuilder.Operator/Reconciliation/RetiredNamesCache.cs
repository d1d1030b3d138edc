using System.Collections.Concurrent;
using ImageBuilder.Operator.Controllers.Client;
using k8s;
using k8s.Models;

namespace ImageBuilder.Operator.Reconciliation;

/// <summary>
/// The bridge's copy of <see cref="RetiredBuilds"/>' names per namespace, kept by the controller runtime's informer on
/// that one ConfigMap (field selector <c>metadata.name=image-builder-retired</c>, in that namespace only), so a new
/// request costs no read of it (issue 11: ingest). The first ask for a namespace starts its informer; while the
/// informer is not current (<see cref="ResourceInformer{T}.IsCurrent"/>: before its first list, and from a failed list
/// or watch, a stalled watch or a 410 until it has caught up again), <see cref="GetAsync"/> reads live, as the bridge
/// always did.
/// </summary>
/// <remarks>
/// A copy lags the apiserver by the watch's delivery time, and retention writes the name moments before it deletes
/// the ImageBuild, so a copy can miss a name whose ImageBuild is already gone. The writer asks for a live read in the
/// two cases where that can happen to a request handled before (<see cref="MustReadLive"/>).
/// </remarks>
public sealed class RetiredNamesCache(IKubernetes kubernetes, RetiredBuilds retired, TimeProvider time, ILogger<ResourceInformer<V1ConfigMap>> logger) : IDisposable
{
    // The server ends each watch after a minute and the informer resumes it; one still open well after that (a
    // connection that died without a word) is given up, so a silent copy never stays in use for longer than this plus
    // the grace. Nothing reads the copy through handlers, so no resync.
    private static readonly InformerSettings Settings = new()
    {
        ResyncPeriod = TimeSpan.Zero,
        WatchTimeout = TimeSpan.FromSeconds(60),
        WatchGrace = TimeSpan.FromSeconds(15),
    };

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
        // Lazy: GetOrAdd may run its factory twice under a race, and each run would start an informer.
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
        var client = new KubernetesConfigMapResourceClient(kubernetes, ns, KubernetesConfigMapResourceClient.NameSelector(RetiredBuilds.ConfigMapName), time);
        var informer = new ResourceInformer<V1ConfigMap>(client, Settings, time, logger);
        // Runs until Dispose; the informer retries every failure itself, so the task never faults.
        var stop = _stopping.Token;
        _ = Task.Run(() => informer.RunAsync(stop), stop);
        return new RetiredNamesView(informer, ns);
    }
}
