using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using ImageBuilder.Operator.Api;
using k8s;

namespace ImageBuilder.Bench;

/// <summary>
/// Every ImageBuild of a namespace and whether it is terminal, kept current by a watch. Counting thousands of builds by
/// LIST every half second would load the apiserver the operator is being measured against (a LIST of 20,000
/// ImageBuilds is tens of MB); a watch costs it one event per change.
/// </summary>
public sealed class PhaseWatch : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, bool> _terminal = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public PhaseWatch(IKubernetes k8s, string ns) => _loop = RunAsync(k8s, ns);

    public (int Total, int Terminal) Counts => (_terminal.Count, _terminal.Count(p => p.Value));

    private async Task RunAsync(IKubernetes k8s, string ns)
    {
        string? resourceVersion = null;
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                await foreach (var (type, obj) in k8s.CustomObjects.WatchListNamespacedCustomObjectAsync(ImageBuild.Group, ImageBuild.Version, ns, ImageBuild.Plural,
                    resourceVersion: resourceVersion, allowWatchBookmarks: true, cancellationToken: _stop.Token))
                {
                    if (obj is not JsonElement json)
                    {
                        continue;
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
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (k8s.Autorest.HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Gone)
            {
                // Too old to resume: watch from now, which announces every existing build again.
                resourceVersion = null;
            }
            catch (Exception e) when (e is HttpRequestException or IOException or KubernetesException)
            {
                Console.Error.WriteLine($"phase watch on {ns}: {e.Message}; resuming");
                resourceVersion = null;
                await Task.Delay(1000);
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
