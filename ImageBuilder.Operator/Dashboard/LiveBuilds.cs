using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using ImageBuilder.Operator.Options;
using Microsoft.Extensions.Options;

namespace ImageBuilder.Operator.Dashboard;

/// <summary>
/// The live builds stream of one page, as server-sent events: <c>snapshot</c> (every build) first and again after the
/// page fell behind, then <c>upsert</c> and <c>delete</c> per change, and <c>ping</c> when idle. A browser's
/// EventSource reconnects by itself and gets a fresh snapshot, so nothing is resumed from an event id.
/// </summary>
public sealed class LiveBuilds(BuildFeed feed, IOptions<DashboardOptions> options, TimeProvider time)
{
    public const string SnapshotEvent = "snapshot";
    public const string UpsertEvent = "upsert";
    public const string DeleteEvent = "delete";
    public const string PingEvent = "ping";

    public async IAsyncEnumerable<SseItem<object>> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var subscription = feed.Subscribe();
        if (!await SyncedAsync(cancellationToken))
        {
            yield break;
        }
        yield return new SseItem<object>(feed.Snapshot(), SnapshotEvent);
        while (true)
        {
            var (kind, change) = await NextAsync(subscription, cancellationToken);
            switch (kind)
            {
                case Next.Ended:
                    yield break;
                case Next.Lagged:
                    yield return new SseItem<object>(feed.Snapshot(), SnapshotEvent);
                    break;
                case Next.Idle:
                    yield return new SseItem<object>(time.GetUtcNow(), PingEvent);
                    break;
                case Next.Change:
                    yield return new SseItem<object>(change!.Build, change.Deleted ? DeleteEvent : UpsertEvent);
                    break;
            }
        }
    }

    private async Task<bool> SyncedAsync(CancellationToken cancellationToken)
    {
        try
        {
            await feed.Cache.WaitForSyncAsync(cancellationToken);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private async Task<(Next Kind, BuildChange? Change)> NextAsync(BuildFeedSubscription subscription, CancellationToken cancellationToken)
    {
        if (subscription.TakeLagged())
        {
            return (Next.Lagged, null);
        }
        if (subscription.Changes.TryRead(out var ready))
        {
            return (Next.Change, ready);
        }
        using var quiet = new CancellationTokenSource(options.Value.KeepAliveInterval, time);
        using var idle = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, quiet.Token);
        try
        {
            if (!await subscription.Changes.WaitToReadAsync(idle.Token))
            {
                return (Next.Ended, null);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return (Next.Idle, null);
        }
        catch (OperationCanceledException)
        {
            return (Next.Ended, null);
        }
        if (subscription.TakeLagged())
        {
            return (Next.Lagged, null);
        }
        return subscription.Changes.TryRead(out var change) ? (Next.Change, change) : (Next.Idle, null);
    }

    private enum Next
    {
        Change,
        Lagged,
        Idle,
        Ended,
    }
}
