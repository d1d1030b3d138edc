using System.Threading.Channels;

namespace ImageBuilder.Operator.Dashboard;

/// <summary>
/// One open page's queue of changes. Bounded, so a stalled client cannot grow the operator's memory: when it
/// overflows, the changes are dropped and <see cref="TakeLagged"/> tells the stream to send a full snapshot instead.
/// </summary>
public sealed class BuildFeedSubscription : IDisposable
{
    private const int Capacity = 1024;
    private readonly Channel<BuildChange> _changes = Channel.CreateBounded<BuildChange>(
        // Wait, not DropWrite: only then does TryWrite say false when full (DropWrite drops silently and says true).
        new BoundedChannelOptions(Capacity) { FullMode = BoundedChannelFullMode.Wait, SingleReader = true });
    private readonly Action<BuildFeedSubscription> _unsubscribe;
    private int _lagged;

    internal BuildFeedSubscription(Action<BuildFeedSubscription> unsubscribe) => _unsubscribe = unsubscribe;

    public ChannelReader<BuildChange> Changes => _changes.Reader;

    internal void Offer(BuildChange change)
    {
        if (!_changes.Writer.TryWrite(change))
        {
            Interlocked.Exchange(ref _lagged, 1);
        }
    }

    /// <summary>True once after changes were dropped; the queued ones are discarded, as the snapshot covers them.</summary>
    public bool TakeLagged()
    {
        if (Interlocked.Exchange(ref _lagged, 0) == 0)
        {
            return false;
        }
        while (_changes.Reader.TryRead(out _))
        {
        }
        return true;
    }

    public void Dispose()
    {
        _unsubscribe(this);
        _changes.Writer.TryComplete();
    }
}
