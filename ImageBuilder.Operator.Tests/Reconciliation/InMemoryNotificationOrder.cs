using ImageBuilder.Operator.Api;
using ImageBuilder.Operator.Reconciliation;

namespace ImageBuilder.Operator.Tests.Reconciliation;

/// <summary>The notification-order record in memory, deciding with the same <see cref="AnnouncementRule"/> as the ConfigMap one.</summary>
public sealed class InMemoryNotificationOrder : INotificationOrder
{
    private readonly Dictionary<string, AnnouncedBuild> _last = new(StringComparer.Ordinal);

    public Task<IDisposable> LockAsync(string application, CancellationToken cancellationToken) => Task.FromResult<IDisposable>(new Nothing());

    public Task<string?> ClaimAsync(ImageBuild build, CancellationToken cancellationToken)
    {
        var key = NotificationOrder.EntryKey(build);
        var self = RequestOrder.Of(build);
        _last.TryGetValue(key, out var last);
        if (AnnouncementRule.NewerAnnounced(self, last) is { } newer)
        {
            return Task.FromResult<string?>($"{build.Metadata.NamespaceProperty}/{newer}");
        }
        if (AnnouncementRule.MustRecord(self, last))
        {
            _last[key] = new AnnouncedBuild(self, DateTimeOffset.UnixEpoch);
        }
        return Task.FromResult<string?>(null);
    }

    private sealed class Nothing : IDisposable
    {
        public void Dispose()
        {
            // Tests run one step at a time: nothing to release.
        }
    }
}
