using System.Net;
using ImageBuilder.Operator.Api;
using ImageBuilder.Operator.Controllers;
using ImageBuilder.Operator.Controllers.Client;
using ImageBuilder.Operator.Reconciliation;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace ImageBuilder.Operator.Dashboard;

/// <summary>
/// The one-build view: the ImageBuild and its Jobs from the informer caches, its Events from the API server (read
/// only while someone looks at the build, so the operator watches no Events). The cache keeps a finished build trimmed
/// (<see cref="ImageBuildCacheTrim"/>: no condition messages, log tail nor plan), and those are what this view is for:
/// such a build is read whole from the API server, one object while someone looks at it.
/// </summary>
public sealed class BuildDetails(
    IObjectCache<ImageBuild> builds, IObjectCache<V1Job> jobs, IObjectReader<ImageBuild> liveBuilds, IKubernetes kubernetes, TimeProvider time, ILogger<BuildDetails> logger)
{
    private static readonly TimeSpan EventsTimeout = TimeSpan.FromSeconds(5);

    public async Task<BuildDetail?> ReadAsync(string @namespace, string name, CancellationToken cancellationToken)
    {
        var build = builds.Get(new ObjectKey(@namespace, name));
        if (build is not null && ImageBuildCacheTrim.IsTrimmed(build))
        {
            // Null when deleted since the cache saw it (retention, a user): the list drops it on the watch's DELETED.
            build = await liveBuilds.GetAsync(@namespace, name, cancellationToken);
        }
        if (build is null)
        {
            return null;
        }
        var uid = build.Metadata.Uid;
        var label = Annotations.LabelValue(name);
        var owned = jobs.List(@namespace).Where(j =>
            j.Metadata.Labels is { } labels && labels.TryGetValue(Annotations.BuildLabel, out var value) && value == label
            && (j.Metadata.OwnerReferences?.Any(o => o.Uid == uid) ?? true));
        var (events, error) = await EventsAsync(build, cancellationToken);
        return BuildViews.Detail(build, owned, events, error);
    }

    private async Task<(IReadOnlyList<EventView> Events, string? Error)> EventsAsync(ImageBuild build, CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(EventsTimeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        var key = $"{build.Metadata.NamespaceProperty}/{build.Metadata.Name}";
        try
        {
            var list = await kubernetes.CoreV1.ListNamespacedEventAsync(
                build.Metadata.NamespaceProperty,
                fieldSelector: $"involvedObject.uid={build.Metadata.Uid}",
                cancellationToken: linked.Token);
            return ([.. list.Items.Select(BuildViews.Event).OrderBy(e => e.Last)], null);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Forbidden)
        {
            Log.EventsReadFailed(logger, key, "forbidden");
            return ([], "The operator may not list Events in this namespace (its Role lacks events: list).");
        }
        catch (HttpOperationException e)
        {
            Log.EventsReadFailed(logger, key, $"HTTP {(int)e.Response.StatusCode}");
            return ([], $"The API server answered HTTP {(int)e.Response.StatusCode} for the Events.");
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            Log.EventsReadFailed(logger, key, e.GetType().Name);
            return ([], "The API server did not answer in time for the Events.");
        }
    }
}
