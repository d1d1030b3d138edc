using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using ImageBuilder.Operator.Api;
using k8s.Autorest;
using k8s.Models;

namespace ImageBuilder.Operator.Reconciliation;

/// <summary>
/// Keeps successes announced in request order per application (<see cref="AnnouncementRule"/>). The newest announced
/// build of each application is recorded in a ConfigMap per namespace (<see cref="ConfigMapName"/>), <em>before</em>
/// its BuildResponse is published:
/// <list type="bullet">
/// <item>the record is read live, never from a cache: a stale copy would miss a newer build announced a moment ago and
/// let the older one be announced after it, which is exactly the harm to prevent;</item>
/// <item>it is written with the read resourceVersion, so two writers (an old and a new leader) cannot both win;</item>
/// <item>recorded before publishing, a crash between the two leaves the record naming the build whose message may be
/// out: a later older build still sees it (a record written after publishing could be lost with the crash);</item>
/// <item>an in-process lock per application spans read, record and publish, so an older build whose publish is in
/// flight finishes it before a newer one may record and publish (the reconcile workers run in parallel);</item>
/// <item>it outlives the ImageBuilds (retention may delete the announced build long before an older retry ends).</item>
/// </list>
/// Entries not moved for <see cref="EntryLifetime"/> are pruned on write: no build waits that long to finish.
/// </summary>
public sealed class NotificationOrder(OperatorConfigMaps maps, TimeProvider time) : INotificationOrder
{
    public const string ConfigMapName = "image-builder-announced";
    public static readonly TimeSpan EntryLifetime = TimeSpan.FromDays(30);
    private const int MaxWriteAttempts = 8;
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _locks = new(StringComparer.Ordinal);

    /// <inheritdoc/>
    public async Task<IDisposable> LockAsync(string application, CancellationToken cancellationToken)
    {
        var gate = _locks.GetOrAdd(application, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken);
        return new Release(gate);
    }

    /// <inheritdoc/>
    public async Task<string?> ClaimAsync(ImageBuild build, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(build);
        var ns = build.Metadata.NamespaceProperty;
        var key = EntryKey(build);
        var self = RequestOrder.Of(build);
        for (var attempt = 1; ; attempt++)
        {
            var map = await maps.ReadAsync(ns, ConfigMapName, cancellationToken);
            var last = map?.Data is { } data && data.TryGetValue(key, out var text) ? Parse(text) : null;
            if (AnnouncementRule.NewerAnnounced(self, last) is { } newer)
            {
                return $"{ns}/{newer}";
            }
            if (!AnnouncementRule.MustRecord(self, last))
            {
                return null;
            }
            try
            {
                await WriteAsync(ns, map, key, Format(new AnnouncedBuild(self, time.GetUtcNow())), cancellationToken);
                return null;
            }
            catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Conflict && attempt < MaxWriteAttempts)
            {
                // Another application's claim (or another leader) wrote first: read again and decide again.
            }
        }
    }

    /// <summary>The ConfigMap key of the build's application: a hash, since user and application ids may hold any character.</summary>
    public static string EntryKey(ImageBuild build)
    {
        ArgumentNullException.ThrowIfNull(build);
        var identity = $"{build.Spec.UserId}\n{build.Spec.ApplicationId}";
        return "app-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(identity)))[..24];
    }

    /// <summary>The entry's text: request instant, build name, claim instant (space-separated; names hold no spaces).</summary>
    public static string Format(AnnouncedBuild entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return $"{RequestOrder.Stamp(entry.Order.At)} {entry.Order.Name} {RequestOrder.Stamp(entry.ClaimedAt)}";
    }

    public static AnnouncedBuild? Parse(string? text)
    {
        var parts = text?.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return parts is { Length: 3 } && RequestOrder.TryParse(parts[0], out var at) && RequestOrder.TryParse(parts[2], out var claimed)
            ? new AnnouncedBuild(new RequestOrder(at, parts[1]), claimed)
            : null;
    }

    private async Task WriteAsync(string ns, V1ConfigMap? map, string key, string value, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var data = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (k, v) in map?.Data ?? new Dictionary<string, string>())
        {
            if (Parse(v) is { } entry && now - entry.ClaimedAt < EntryLifetime)
            {
                data[k] = v;
            }
        }
        data[key] = value;
        // A 409 (another writer created or replaced it first) goes to the caller, which reads again.
        await maps.WriteAsync(ns, ConfigMapName, map, data, cancellationToken);
    }

    private sealed class Release(SemaphoreSlim gate) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                gate.Release();
            }
        }
    }
}
