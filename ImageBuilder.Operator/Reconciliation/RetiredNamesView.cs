using ImageBuilder.Operator.Controllers;
using ImageBuilder.Operator.Controllers.Client;
using k8s.Models;

namespace ImageBuilder.Operator.Reconciliation;

/// <summary>
/// One namespace's retired names, as its informer holds the ConfigMap; null while the informer is not current. The
/// rules (what is current, when an entry expires) are tested with the informer driven call by call, without a cluster.
/// </summary>
public sealed class RetiredNamesView(ResourceInformer<V1ConfigMap> informer, string @namespace)
{
    private readonly ObjectKey _key = new(@namespace, RetiredBuilds.ConfigMapName);
    private volatile Snapshot? _snapshot;

    /// <summary>True while the copy may be used.</summary>
    public bool IsCurrent => informer.IsCurrent;

    /// <summary>The names still remembered at <paramref name="now"/>, or null when the copy is not current.</summary>
    public IReadOnlySet<string>? Names(DateTimeOffset now)
    {
        if (!informer.IsCurrent)
        {
            return null;
        }
        // The informer replaces the object on every change, so the same instance means the same names.
        var map = informer.Get(_key);
        var snapshot = _snapshot;
        if (snapshot is null || !ReferenceEquals(snapshot.Map, map))
        {
            _snapshot = snapshot = new Snapshot(map);
        }
        return snapshot.NamesAt(now);
    }

    /// <summary>
    /// The entries of one version of the map (none when there is no map), and the set of live names computed once per
    /// change (not once per message: the map may hold thousands) and again only when its earliest entry expires.
    /// </summary>
    private sealed class Snapshot(V1ConfigMap? map)
    {
        private readonly List<(string Name, DateTimeOffset Until)> _entries = [.. RetiredBuilds.Entries(map?.Data)];
        private volatile Computed? _computed;

        public V1ConfigMap? Map => map;

        public HashSet<string> NamesAt(DateTimeOffset now)
        {
            if (_computed is { } c && now < c.ValidUntil)
            {
                return c.Names;
            }
            var alive = _entries.Where(e => e.Until > now).ToList();
            var computed = new Computed(alive.Select(e => e.Name).ToHashSet(StringComparer.Ordinal), alive.Count == 0 ? DateTimeOffset.MaxValue : alive.Min(e => e.Until));
            _computed = computed;
            return computed.Names;
        }

        private sealed record Computed(HashSet<string> Names, DateTimeOffset ValidUntil);
    }
}
