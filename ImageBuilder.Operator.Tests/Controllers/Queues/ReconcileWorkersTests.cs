using System.Collections.Concurrent;
using ImageBuilder.Operator.Controllers;
using ImageBuilder.Operator.Controllers.Queues;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace ImageBuilder.Operator.Tests.Controllers.Queues;

public sealed class ReconcileWorkersTests : IDisposable
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(20);
    private static readonly ObjectKey A = new("ns", "a");
    private readonly FakeTimeProvider _time = new();
    private readonly WorkQueue _queue;

    public ReconcileWorkersTests()
    {
        _queue = TestWorkQueue.On(_time);
    }

    public void Dispose() => _queue.Dispose();

    [Fact]
    public async Task RunAsync_MoreKeysThanWorkers_NeverExceedsWorkerCount()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var entered = new SemaphoreSlim(0);
        var (active, maxActive, finished) = (0, 0, 0);
        var workers = Workers(async (_, _) =>
        {
            var now = Interlocked.Increment(ref active);
            InterlockedMax(ref maxActive, now);
            entered.Release();
            await gate.Task;
            Interlocked.Decrement(ref active);
            Interlocked.Increment(ref finished);
            return ReconcileResult.Done();
        });
        for (var i = 0; i < 6; i++)
        {
            _queue.Add(new ObjectKey("ns", "k" + i));
        }
        using var stop = new CancellationTokenSource();

        var run = workers.RunAsync(2, stop.Token, CancellationToken.None);
        Assert.True(await entered.WaitAsync(Guard));
        Assert.True(await entered.WaitAsync(Guard));
        Assert.Equal(4, _queue.Count);
        gate.SetResult();
        await WaitUntilAsync(() => Volatile.Read(ref finished) == 6);
        await stop.CancelAsync();
        await run.WaitAsync(Guard);

        Assert.Equal(2, maxActive);
    }

    [Fact]
    public async Task RunAsync_KeyAddedDuringItsReconcile_RunsAgainAfterwardsNotConcurrently()
    {
        var firstRunning = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var releaseFirst = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var secondDone = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var (runs, active, maxActive) = (0, 0, 0);
        var workers = Workers(async (_, _) =>
        {
            InterlockedMax(ref maxActive, Interlocked.Increment(ref active));
            var run = Interlocked.Increment(ref runs);
            if (run == 1)
            {
                firstRunning.SetResult();
                await releaseFirst.Task;
            }
            Interlocked.Decrement(ref active);
            if (run == 2)
            {
                secondDone.SetResult();
            }
            return ReconcileResult.Done();
        });
        _queue.Add(A);
        using var stop = new CancellationTokenSource();
        var loop = workers.RunAsync(4, stop.Token, CancellationToken.None);

        await firstRunning.Task.WaitAsync(Guard);
        _queue.Add(A);
        releaseFirst.SetResult();
        await secondDone.Task.WaitAsync(Guard);
        await stop.CancelAsync();
        await loop.WaitAsync(Guard);

        Assert.Equal(2, runs);
        Assert.Equal(1, maxActive);
    }

    [Fact]
    public async Task ProcessAsync_Failed_RequeuedAfterBackoff()
    {
        await ProcessAAsync((_, _) => Task.FromResult(ReconcileResult.Failed("registry down")));

        Assert.Equal(0, _queue.Count);
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(1, _queue.Count);
        Assert.Equal(1, _queue.NumRequeues(A));
    }

    [Fact]
    public async Task ProcessAsync_ReconcilerThrows_TreatedAsFailed()
    {
        await ProcessAAsync((_, _) => throw new InvalidOperationException("boom"));

        Assert.Equal(1, _queue.NumRequeues(A));
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(1, _queue.Count);
    }

    [Fact]
    public async Task ProcessAsync_RequeueAfter_AddsAfterDelayAndResetsBackoff()
    {
        FailedOnceBefore();
        await ProcessAAsync((_, _) => Task.FromResult(ReconcileResult.Requeue(TimeSpan.FromSeconds(30))));

        Assert.Equal(0, _queue.NumRequeues(A));
        _time.Advance(TimeSpan.FromSeconds(29));
        Assert.Equal(0, _queue.Count);
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(1, _queue.Count);
    }

    [Fact]
    public async Task ProcessAsync_Done_ForgetsAndDoesNotRequeue()
    {
        FailedOnceBefore();
        await ProcessAAsync((_, _) => Task.FromResult(ReconcileResult.Done()));

        Assert.Equal(0, _queue.NumRequeues(A));
        _time.Advance(TimeSpan.FromMinutes(10));
        Assert.Equal(0, _queue.Count);
    }

    [Fact]
    public async Task ProcessAsync_AbortedMidReconcile_KeyStaysQueued()
    {
        using var abort = new CancellationTokenSource();
        var workers = Workers(async (_, ct) =>
        {
            await abort.CancelAsync();
            ct.ThrowIfCancellationRequested();
            return ReconcileResult.Done();
        });
        var key = Take(A);

        await workers.ProcessAsync(key, abort.Token);

        Assert.Equal(1, _queue.Count);
        Assert.Equal(0, _queue.NumRequeues(A));
    }

    [Fact]
    public async Task RunAsync_StopTaking_InFlightReconcileFinishesAndNoNewKeyIsTaken()
    {
        var running = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var reconciled = new ConcurrentBag<(ObjectKey Key, bool Cancelled)>();
        var workers = Workers(async (key, ct) =>
        {
            running.TrySetResult();
            await release.Task;
            reconciled.Add((key, ct.IsCancellationRequested));
            return ReconcileResult.Done();
        });
        _queue.Add(A);
        using var stop = new CancellationTokenSource();
        var loop = workers.RunAsync(1, stop.Token, CancellationToken.None);
        await running.Task.WaitAsync(Guard);

        await stop.CancelAsync();
        _queue.Add(new ObjectKey("ns", "later"));
        release.SetResult();
        await loop.WaitAsync(Guard);

        Assert.Equal([(A, false)], reconciled);
        Assert.Equal(1, _queue.Count);
    }

    [Fact]
    public async Task RunAsync_LeadershipLostMidReconcile_CancelReturnsAndAbortedKeysAreNotReconciledAgain()
    {
        // As in ControllerHost: abort is linked from the leadership token, whose Cancel() runs on the elector's
        // thread inside OnStoppedLeading. Any reconcile started under the dead token fails synchronously, as an
        // HTTP call does.
        var running = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var leadership = new CancellationTokenSource();
        using var abort = CancellationTokenSource.CreateLinkedTokenSource(leadership.Token);
        using var stop = new CancellationTokenSource();
        var calls = 0;
        var workers = Workers(async (_, ct) =>
        {
            if (Interlocked.Increment(ref calls) > 100)
            {
                // The bug: the worker spins on the aborted keys; end the spin so the test fails instead of hanging.
                stop.Cancel();
            }
            ct.ThrowIfCancellationRequested();
            running.TrySetResult();
            // Completed by a cancellation callback without RunContinuationsAsynchronously, as socket I/O is: the
            // continuation (this reconcile's end and the worker loop after it) runs inside Cancel().
            var pending = new TaskCompletionSource<ReconcileResult>();
            using var registration = ct.Register(() => pending.TrySetCanceled(ct));
            return await pending.Task;
        });
        var b = new ObjectKey("ns", "b");
        _queue.Add(A);
        _queue.Add(b);
        var loop = workers.RunAsync(1, stop.Token, abort.Token);
        await running.Task.WaitAsync(Guard);

        await Task.Run(leadership.Cancel).WaitAsync(Guard);
        await loop.WaitAsync(Guard);

        Assert.Equal(1, Volatile.Read(ref calls));
        Assert.False(stop.IsCancellationRequested);
        Assert.Equal(2, _queue.Count);
        Assert.Equal(0, _queue.InFlightCount);
        Assert.Equal(0, _queue.NumRequeues(A));
    }

    [Fact]
    public async Task ProcessAsync_AlreadyAborted_KeepsKeyWithoutReconciling()
    {
        using var abort = new CancellationTokenSource();
        await abort.CancelAsync();
        var calls = 0;
        var workers = Workers((_, _) =>
        {
            Interlocked.Increment(ref calls);
            return Task.FromResult(ReconcileResult.Done());
        });
        var key = Take(A);

        await workers.ProcessAsync(key, abort.Token);

        Assert.Equal(0, calls);
        Assert.Equal(1, _queue.Count);
        Assert.Equal(0, _queue.InFlightCount);
    }

    private ReconcileWorkers Workers(Func<ObjectKey, CancellationToken, Task<ReconcileResult>> reconcile) =>
        new(_queue, reconcile, NullLogger.Instance);

    /// <summary>Takes <see cref="A"/> from the queue, as a worker does, and processes it once with <paramref name="reconcile"/>.</summary>
    private Task ProcessAAsync(Func<ObjectKey, CancellationToken, Task<ReconcileResult>> reconcile, CancellationToken abort = default) =>
        Workers(reconcile).ProcessAsync(Take(A), abort);

    /// <summary><see cref="A"/> failed once before (its backoff counts one requeue) and came back after that backoff.</summary>
    private void FailedOnceBefore()
    {
        _queue.AddRateLimited(A);
        _time.Advance(TimeSpan.FromSeconds(1));
    }

    private ObjectKey Take(ObjectKey key)
    {
        _queue.Add(key);
        Assert.True(_queue.TryGet(out var taken));
        return taken;
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int current;
        while (value > (current = Volatile.Read(ref target)) && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        using var guard = new CancellationTokenSource(Guard);
        while (!condition())
        {
            await Task.Delay(10, guard.Token);
        }
    }
}
