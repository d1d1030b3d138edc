using System.Collections.Concurrent;
using System.Text.Json;
using ImageBuilder.Operator.Api;
using k8s;
using k8s.Autorest;

namespace ImageBuilder.Bench;

/// <summary>
/// Every ImageBuild of a namespace and whether it is terminal, kept current by list-then-watch (as an informer does).
/// Counting thousands of builds by LIST every half second would load the apiserver the operator is being measured
/// against (a LIST of 20,000 ImageBuilds is tens of MB); a watch costs it one event per change, and a paged LIST is
/// made only at the start and after the watch broke.
/// </summary>
/// <remarks>
/// Why not resume a broken watch from "now" (no resourceVersion): the apiserver then replays every existing build as
/// ADDED, and with 20,000 of them that replay is itself a long stream that can break again; resuming it from the
/// resourceVersion of the last replayed object skips the objects not yet replayed. A LIST is a consistent snapshot at one
/// resourceVersion, and the watch that follows it misses nothing. (A 20,000 point was lost once to exactly this.)
/// </remarks>
public sealed class PhaseWatch : IAsyncDisposable
{
    private const int PageSize = 500;

    private readonly ConcurrentDictionary<string, bool> _terminal = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public PhaseWatch(IKubernetes k8s, string ns) => _loop = RunAsync(k8s, ns);

    public (int Total, int Terminal) Counts => (_terminal.Count, _terminal.Count(p => p.Value));

    /// <summary>How many times the watch broke and the namespace was listed again (printed with the figures).</summary>
    public int Relists { get; private set; }

    private async Task RunAsync(IKubernetes k8s, string ns)
    {
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                var resourceVersion = await ListAsync(k8s, ns);
                await WatchAsync(k8s, ns, resourceVersion);
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is HttpRequestException or IOException or KubernetesException or HttpOperationException)
            {
                Console.Error.WriteLine($"phase watch on {ns}: {e.Message}; listing again");
                Relists++;
                await Task.Delay(1000, _stop.Token);
            }
        }
    }

    /// <summary>Replaces the counts with one consistent snapshot, read in pages, and returns its resourceVersion.</summary>
    private async Task<string> ListAsync(IKubernetes k8s, string ns)
    {
        var seen = new Dictionary<string, bool>(StringComparer.Ordinal);
        string? next = null;
        string resourceVersion;
        do
        {
            var page = await k8s.CustomObjects.ListNamespacedCustomObjectAsync<ImageBuildList>(ImageBuild.Group, ImageBuild.Version, ns, ImageBuild.Plural,
                continueParameter: next, limit: PageSize, cancellationToken: _stop.Token);
            foreach (var build in page.Items)
            {
                seen[build.Metadata.Name] = Phases.IsTerminal(build.Status?.Phase);
            }
            next = page.Metadata?.ContinueProperty;
            // Every page of one paged LIST is served at the first page's resourceVersion.
            resourceVersion = page.Metadata!.ResourceVersion;
        }
        while (!string.IsNullOrEmpty(next));
        foreach (var name in _terminal.Keys.Where(n => !seen.ContainsKey(n)))
        {
            _terminal.TryRemove(name, out _);
        }
        foreach (var (name, terminal) in seen)
        {
            _terminal[name] = terminal;
        }
        return resourceVersion;
    }

    /// <summary>Applies changes after <paramref name="resourceVersion"/> until the server ends the watch (then resumes) or it breaks (throws).</summary>
    private async Task WatchAsync(IKubernetes k8s, string ns, string resourceVersion)
    {
        while (!_stop.IsCancellationRequested)
        {
            await foreach (var (type, obj) in k8s.CustomObjects.WatchListNamespacedCustomObjectAsync(ImageBuild.Group, ImageBuild.Version, ns, ImageBuild.Plural,
                resourceVersion: resourceVersion, allowWatchBookmarks: true, timeoutSeconds: 300, cancellationToken: _stop.Token))
            {
                if (obj is not JsonElement json)
                {
                    continue;
                }
                if (type == WatchEventType.Error)
                {
                    // A Status in the stream, e.g. 410 Gone: this resourceVersion is too old to resume from.
                    throw new IOException($"watch ended with {json.GetRawText()}");
                }
                var build = KubernetesJson.Deserialize<ImageBuild>(json);
                resourceVersion = build.Metadata?.ResourceVersion ?? resourceVersion;
                if (type is WatchEventType.Added or WatchEventType.Modified)
                {
                    // Superseded too: a cache hit of one application whose newer build was announced first ends so
                    // (notification order), and it is as settled as a Succeeded one.
                    _terminal[build.Metadata!.Name] = Phases.IsTerminal(build.Status?.Phase);
                }
                else if (type == WatchEventType.Deleted)
                {
                    _terminal.TryRemove(build.Metadata!.Name, out _);
                }
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _loop;
        }
        catch (OperationCanceledException)
        {
            // Stopped.
        }
        _stop.Dispose();
    }
}
