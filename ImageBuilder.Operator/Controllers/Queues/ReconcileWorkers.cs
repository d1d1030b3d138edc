namespace ImageBuilder.Operator.Controllers.Queues;

/// <summary>
/// N workers that take keys from a <see cref="WorkQueue"/> and reconcile them. Two tokens, because shutting
/// down and losing the lease differ: <c>stopTaking</c> stops picking new keys and lets in-flight reconciles
/// finish; <c>abort</c> cancels in-flight reconciles at once (the lease is gone, another replica may be acting).
/// </summary>
public sealed class ReconcileWorkers
{
    private readonly WorkQueue _queue;
    private readonly Func<ObjectKey, CancellationToken, Task<ReconcileResult>> _reconcile;
    private readonly ILogger _logger;

    public ReconcileWorkers(WorkQueue queue, Func<ObjectKey, CancellationToken, Task<ReconcileResult>> reconcile, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(queue);
        ArgumentNullException.ThrowIfNull(reconcile);
        ArgumentNullException.ThrowIfNull(logger);
        _queue = queue;
        _reconcile = reconcile;
        _logger = logger;
    }

    public Task RunAsync(int workers, CancellationToken stopTaking, CancellationToken abort)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(workers, 1);
        var loops = new Task[workers];
        for (var i = 0; i < workers; i++)
        {
            loops[i] = Task.Run(() => WorkerLoopAsync(stopTaking, abort), CancellationToken.None);
        }
        return Task.WhenAll(loops);
    }

    /// <summary>Reconciles one key already taken from the queue and files the outcome; always marks it done.</summary>
    public async Task ProcessAsync(ObjectKey key, CancellationToken abort)
    {
        try
        {
            // Taken after the term was aborted (a worker can win the race with the cancellation of its `taking`
            // token): keep the key for the next term without reconciling it under a dead token.
            var result = abort.IsCancellationRequested ? null : await InvokeAsync(key, abort);
            if (result is { } outcome)
            {
                Apply(key, outcome);
            }
            else
            {
                // Aborted mid-reconcile: keep the key so the next leadership term starts with it.
                _queue.Add(key);
            }
        }
        finally
        {
            _queue.Done(key);
        }
    }

    private async Task WorkerLoopAsync(CancellationToken stopTaking, CancellationToken abort)
    {
        using var taking = CancellationTokenSource.CreateLinkedTokenSource(stopTaking, abort);
        // abort is checked directly, not only through `taking`: cancelling abort runs its callbacks one by one on
        // the cancelling thread (the elector's, inside OnStoppedLeading), newest first, so an in-flight reconcile's
        // continuation runs inline before the callback that cancels `taking`. Looping on `taking` alone then took
        // the re-added key straight back, failed it synchronously and re-added it, forever, on that thread: the
        // cancel never returned, so leadership loss was never logged and the term never ended.
        while (!taking.IsCancellationRequested && !abort.IsCancellationRequested)
        {
            ObjectKey key;
            try
            {
                key = await _queue.GetAsync(taking.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            await ProcessAsync(key, abort);
        }
    }

    private async Task<ReconcileResult?> InvokeAsync(ObjectKey key, CancellationToken abort)
    {
        try
        {
            return await _reconcile(key, abort);
        }
        catch (OperationCanceledException) when (abort.IsCancellationRequested)
        {
            Log.ReconcileAborted(_logger, key);
            return null;
        }
        catch (Exception e)
        {
            Log.ReconcileThrew(_logger, key, e);
            return ReconcileResult.Failed(e.GetType().Name + ": " + e.Message);
        }
    }

    private void Apply(ObjectKey key, ReconcileResult result)
    {
        if (!result.Succeeded)
        {
            _queue.AddRateLimited(key);
            var requeues = _queue.NumRequeues(key);
            Log.ReconcileFailed(_logger, key, result.Error ?? "", requeues);
            return;
        }
        _queue.Forget(key);
        if (result.RequeueAfter is { } after)
        {
            _queue.AddAfter(key, after);
        }
    }
}
