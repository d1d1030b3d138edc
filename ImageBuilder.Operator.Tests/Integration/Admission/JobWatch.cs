using System.Net;
using System.Text.Json;
using ImageBuilder.Operator.Api;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace ImageBuilder.Operator.Tests.Integration.Admission;

/// <summary>
/// The build Jobs of one namespace as a Kubernetes watch reports them, independent of the operator and its counters:
/// the order Jobs appeared in (by owning ImageBuild), and the most that were unfinished at once. A Job is unfinished
/// from its creation until it is Complete or Failed, or deleted.
/// </summary>
public sealed class JobWatch : IAsyncDisposable
{
    private readonly IKubernetes _kubernetes;
    private readonly string _namespace;
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _gate = new();
    private readonly Dictionary<string, bool> _unfinished = new(StringComparer.Ordinal);
    private readonly List<string> _started = [];
    private Task _loop = Task.CompletedTask;
    private int _maxUnfinished;

    private JobWatch(IKubernetes kubernetes, string ns)
    {
        _kubernetes = kubernetes;
        _namespace = ns;
    }

    /// <summary>Lists, then watches from the list's resourceVersion, so no Job created after this returns is missed.</summary>
    public static async Task<JobWatch> StartAsync(IKubernetes kubernetes, string ns)
    {
        var watch = new JobWatch(kubernetes, ns);
        var version = await watch.ListAsync();
        watch._loop = watch.WatchLoopAsync(version);
        return watch;
    }

    /// <summary>Owning ImageBuild of every Job seen, in the order the Jobs appeared.</summary>
    public IReadOnlyList<string> Started
    {
        get
        {
            lock (_gate)
            {
                return [.. _started];
            }
        }
    }

    public int MaxUnfinished
    {
        get
        {
            lock (_gate)
            {
                return _maxUnfinished;
            }
        }
    }

    public int Unfinished
    {
        get
        {
            lock (_gate)
            {
                return _unfinished.Count(p => p.Value);
            }
        }
    }

    private async Task<string> ListAsync()
    {
        var list = await _kubernetes.BatchV1.ListNamespacedJobAsync(_namespace, cancellationToken: _stop.Token);
        lock (_gate)
        {
            // A relist after 410 Gone: Jobs deleted meanwhile are gone, not unfinished forever.
            foreach (var gone in _unfinished.Keys.Where(k => list.Items.All(j => j.Metadata.Name != k)).ToList())
            {
                _unfinished[gone] = false;
            }
        }
        foreach (var job in list.Items)
        {
            Apply(WatchEventType.Added, job);
        }
        return list.Metadata.ResourceVersion;
    }

    private async Task WatchLoopAsync(string version)
    {
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                var events = _kubernetes.CustomObjects.WatchListNamespacedCustomObjectAsync(
                    "batch", "v1", _namespace, "jobs", resourceVersion: version, timeoutSeconds: 60, cancellationToken: _stop.Token);
                await foreach (var (type, obj) in events.WithCancellation(_stop.Token))
                {
                    if (obj is not JsonElement json)
                    {
                        continue;
                    }
                    if (type is WatchEventType.Error)
                    {
                        // 410 Gone: the version is too old; list again (the state is rebuilt, the maximum kept).
                        version = await ListAsync();
                        continue;
                    }
                    var job = KubernetesJson.Deserialize<V1Job>(json);
                    version = job.Metadata?.ResourceVersion ?? version;
                    Apply(type, job);
                }
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is HttpRequestException or HttpOperationException or IOException or KubernetesException)
            {
                // The watch ended under us (apiserver restarted by another test, or its timeout): resume from the last version.
                if (e is HttpOperationException { Response.StatusCode: HttpStatusCode.Gone })
                {
                    version = await ListAsync();
                }
                await Task.Delay(TimeSpan.FromMilliseconds(200), CancellationToken.None);
            }
        }
    }

    private void Apply(WatchEventType type, V1Job job)
    {
        var name = job.Metadata?.Name;
        if (name is null || type is WatchEventType.Bookmark)
        {
            return;
        }
        lock (_gate)
        {
            if (!_unfinished.ContainsKey(name) && type is not WatchEventType.Deleted)
            {
                _started.Add(job.Metadata!.OwnerReferences?.FirstOrDefault(o => o.Kind == ImageBuild.KindName)?.Name ?? "");
            }
            _unfinished[name] = type is not WatchEventType.Deleted
                && job.Status?.Conditions?.Any(c => c.Type is "Complete" or "Failed" && c.Status == "True") != true;
            _maxUnfinished = Math.Max(_maxUnfinished, _unfinished.Count(p => p.Value));
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
    }
}
