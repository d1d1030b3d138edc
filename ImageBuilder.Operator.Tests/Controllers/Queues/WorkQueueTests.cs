using ImageBuilder.Operator.Controllers;
using ImageBuilder.Operator.Controllers.Queues;
using Microsoft.Extensions.Time.Testing;

namespace ImageBuilder.Operator.Tests.Controllers.Queues;

public sealed class WorkQueueTests : IDisposable
{
    private static readonly ObjectKey A = new("ns", "a");
    private static readonly ObjectKey B = new("ns", "b");
    private readonly FakeTimeProvider _time = new();
    private readonly WorkQueue _queue;

    public WorkQueueTests()
    {
        _queue = TestWorkQueue.On(_time);
    }

    public void Dispose() => _queue.Dispose();

    [Fact]
    public void IsIdle_FalseWhileAKeyIsReadyOrInFlight_DelayedKeysDoNotCount()
    {
        Assert.True(_queue.IsIdle);
        _queue.Add(A);
        Assert.False(_queue.IsIdle);
        Assert.True(_queue.TryGet(out _));
        Assert.False(_queue.IsIdle);
        _queue.Add(A);
        _queue.Done(A);
        Assert.False(_queue.IsIdle);
        Assert.True(_queue.TryGet(out _));
        _queue.Done(A);
        Assert.True(_queue.IsIdle);

        _queue.AddAfter(B, TimeSpan.FromSeconds(5));

        Assert.True(_queue.IsIdle);
        _time.Advance(TimeSpan.FromSeconds(5));
        Assert.False(_queue.IsIdle);
    }

    [Fact]
    public void Add_SameKeyTwice_HandedOutOnce()
    {
        _queue.Add(A);
        _queue.Add(A);
        _queue.Add(B);

        Assert.Equal(2, _queue.Count);
        Assert.True(_queue.TryGet(out var first));
        Assert.True(_queue.TryGet(out var second));
        Assert.False(_queue.TryGet(out _));
        Assert.Equal([A, B], new[] { first, second });
    }

    [Fact]
    public void Add_WhileKeyInFlight_NotHandedOutUntilDone()
    {
        _queue.Add(A);
        Assert.True(_queue.TryGet(out _));

        _queue.Add(A);

        Assert.False(_queue.TryGet(out _));
        _queue.Done(A);
        Assert.True(_queue.TryGet(out var again));
        Assert.Equal(A, again);
    }

    [Fact]
    public void Add_SeveralTimesWhileInFlight_RequeuedOnceAfterDone()
    {
        _queue.Add(A);
        Assert.True(_queue.TryGet(out _));
        _queue.Add(A);
        _queue.Add(A);

        _queue.Done(A);

        Assert.Equal(1, _queue.Count);
    }

    [Fact]
    public void Done_KeyNotAddedMeanwhile_NotRequeued()
    {
        _queue.Add(A);
        Assert.True(_queue.TryGet(out _));

        _queue.Done(A);

        Assert.Equal(0, _queue.Count);
    }

    [Fact]
    public void AddAfter_DelayNotElapsed_KeyNotReady()
    {
        _queue.AddAfter(A, TimeSpan.FromSeconds(10));

        _time.Advance(TimeSpan.FromSeconds(9));
        Assert.Equal(0, _queue.Count);
        Assert.Equal(1, _queue.DelayedCount);

        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(1, _queue.Count);
        Assert.Equal(0, _queue.DelayedCount);
    }

    [Fact]
    public void AddAfter_EarlierDeadlineForSameKey_EarlierWins()
    {
        _queue.AddAfter(A, TimeSpan.FromSeconds(30));
        _queue.AddAfter(A, TimeSpan.FromSeconds(5));
        _queue.AddAfter(A, TimeSpan.FromSeconds(20));

        _time.Advance(TimeSpan.FromSeconds(5));
        Assert.True(_queue.TryGet(out _));
        _queue.Done(A);

        _time.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(0, _queue.Count);
    }

    [Fact]
    public void AddAfter_KeyAlreadyQueued_CollapsesWhenDue()
    {
        _queue.Add(A);
        _queue.AddAfter(A, TimeSpan.FromSeconds(1));

        _time.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal(1, _queue.Count);
    }

    [Fact]
    public void AddRateLimited_ConsecutiveFailures_DelayDoubles()
    {
        foreach (var expected in new[] { 1, 2, 4, 8 })
        {
            _queue.AddRateLimited(A);

            _time.Advance(TimeSpan.FromSeconds(expected) - TimeSpan.FromMilliseconds(1));
            Assert.Equal(0, _queue.Count);
            _time.Advance(TimeSpan.FromMilliseconds(1));
            Assert.True(_queue.TryGet(out _));
            _queue.Done(A);
        }
        Assert.Equal(4, _queue.NumRequeues(A));
    }

    [Fact]
    public void Forget_AfterFailures_BackoffStartsOver()
    {
        _queue.AddRateLimited(A);
        _queue.AddRateLimited(A);
        _queue.AddRateLimited(A);

        _queue.Forget(A);
        _time.Advance(TimeSpan.FromSeconds(1));
        _queue.AddRateLimited(A);
        _time.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal(1, _queue.Count);
        Assert.Equal(1, _queue.NumRequeues(A));
    }

    [Fact]
    public async Task GetAsync_KeyAddedLater_ReturnsIt()
    {
        var pending = _queue.GetAsync(CancellationToken.None);
        Assert.False(pending.IsCompleted);

        _queue.Add(B);

        Assert.Equal(B, await pending.AsTask().WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task GetAsync_Cancelled_Throws()
    {
        using var cts = new CancellationTokenSource();
        var pending = _queue.GetAsync(cts.Token);

        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pending.AsTask());
    }
}
