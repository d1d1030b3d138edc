using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using ImageBuilder.Operator.Api;
using ImageBuilder.Operator.Controllers;
using ImageBuilder.Operator.Controllers.Client;
using k8s;

namespace ImageBuilder.Operator.Reconciliation;

/// <summary>
/// Reads ImageBuilds from the informer's cache (controller-runtime's cached client) and writes their status
/// subresource, only when it changed. The cache may lag behind the apiserver by the watch's delay; that is
/// harmless except right after this process wrote a status, so a read then goes to the apiserver.
/// </summary>
public sealed class ImageBuildStore(IObjectReader<ImageBuild> live, IStatusWriter<ImageBuild> statuses, IObjectCache<ImageBuild> cache)
{
    /// <summary>
    /// Writes pending before <see cref="_written"/> is swept (at least this many, then twice what the last sweep kept).
    /// </summary>
    internal const int SweepAtLeast = 1024;

    /// <summary>The resourceVersion of each status this process wrote that the cache has not shown yet.</summary>
    private readonly ConcurrentDictionary<ObjectKey, string> _written = new();

    private int _sweepAt = SweepAtLeast;

    /// <summary>Entries in <see cref="_written"/>: statuses written that no read has seen in the cache yet.</summary>
    internal int PendingWrites => _written.Count;

    public async Task<ImageBuild?> GetAsync(string ns, string name, CancellationToken cancellationToken)
    {
        var key = new ObjectKey(ns, name);
        var cached = cache.Get(key);
        if (!_written.TryGetValue(key, out var written))
        {
            // Live read when the cache has no such key: it is gone, or its ADDED event is still on the way.
            return cached ?? await GetLiveAsync(key, cancellationToken);
        }
        if (cached?.Metadata.ResourceVersion == written)
        {
            _written.TryRemove(KeyValuePair.Create(key, written));
            return cached;
        }
        // Live read: the cache has not caught up with our own last status write. Acting on the older copy would
        // repeat what that write recorded (a Job created, a notification sent) and then fail on the stale resourceVersion.
        var fresh = await GetLiveAsync(key, cancellationToken);
        if (fresh is null)
        {
            _written.TryRemove(key, out _);
        }
        else if (fresh.Metadata.ResourceVersion != written)
        {
            // Someone wrote after us: wait for the cache to show that version instead.
            _written[key] = fresh.Metadata.ResourceVersion;
        }
        return fresh;
    }

    /// <summary>The whole object from the apiserver (the cache may hold a trimmed copy: <see cref="ImageBuildCacheTrim"/>).</summary>
    public Task<ImageBuild?> GetLiveAsync(ObjectKey key, CancellationToken cancellationToken) =>
        live.GetAsync(key.Namespace, key.Name, cancellationToken);

    /// <summary>
    /// Writes <paramref name="status"/> with the read resourceVersion (a concurrent change fails the
    /// write and the reconcile is retried on fresh data). Returns false when nothing changed.
    /// </summary>
    public async Task<bool> WriteStatusIfChangedAsync(ImageBuild build, ImageBuildStatus status, CancellationToken cancellationToken)
    {
        if (!Changed(build, status))
        {
            return false;
        }
        var updated = new ImageBuild { Metadata = build.Metadata, Spec = build.Spec, Status = status };
        // The status write must land even when the reconcile is being cancelled: the Job it records already exists.
        var stored = await statuses.ReplaceStatusAsync(build.Metadata.NamespaceProperty, updated, CancellationToken.None);
        if (stored?.Metadata?.ResourceVersion is { Length: > 0 } version)
        {
            _written[new ObjectKey(build.Metadata.NamespaceProperty, build.Metadata.Name)] = version;
            if (_written.Count >= Volatile.Read(ref _sweepAt))
            {
                SweepCaughtUp();
            }
        }
        return true;
    }

    /// <summary>
    /// Forgets the writes the cache already shows. <see cref="GetAsync"/> forgets one when it reads it, but a status-only
    /// change wakes no reconcile (the runtime enqueues spec and metadata changes), so a build's last write (the one that
    /// made it terminal) was kept until the build was deleted: one entry per finished build, the bulk of the cache.
    /// Removing only entries the cache has caught up with is what <see cref="GetAsync"/> does, so no read changes; the
    /// threshold doubles with what stays, so the sweeps cost O(1) per write.
    /// </summary>
    private void SweepCaughtUp()
    {
        foreach (var (key, version) in _written)
        {
            if (cache.Get(key)?.Metadata.ResourceVersion == version)
            {
                _written.TryRemove(KeyValuePair.Create(key, version));
            }
        }
        Volatile.Write(ref _sweepAt, Math.Max(SweepAtLeast, 2 * _written.Count));
    }

    /// <summary>True when <paramref name="status"/> (with the build's generation observed) differs from the build's.</summary>
    public static bool Changed(ImageBuild build, ImageBuildStatus status)
    {
        ArgumentNullException.ThrowIfNull(build);
        ArgumentNullException.ThrowIfNull(status);
        status.ObservedGeneration = build.Metadata.Generation;
        return build.Status is null || !JsonNode.DeepEquals(JsonNode.Parse(KubernetesJson.Serialize(build.Status)), JsonNode.Parse(KubernetesJson.Serialize(status)));
    }

    /// <summary>True when writing <paramref name="status"/> would change nothing (the test <see cref="WriteStatusIfChangedAsync"/> makes).</summary>
    /// <remarks>On a copy, because <see cref="Changed"/> sets the observed generation on what it is given.</remarks>
    public static bool SameStatus(ImageBuild build, ImageBuildStatus status) => !Changed(build, CopyStatus(status));

    /// <summary>A deep copy, so steps never change the object as it was read.</summary>
    public static ImageBuildStatus CopyStatus(ImageBuildStatus? status) =>
        status is null ? new ImageBuildStatus() : KubernetesJson.Deserialize<ImageBuildStatus>(KubernetesJson.Serialize(status));
}
