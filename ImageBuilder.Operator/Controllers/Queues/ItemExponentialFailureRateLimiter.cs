namespace ImageBuilder.Operator.Controllers.Queues;

/// <summary>Per-key backoff: <c>baseDelay * 2^failures</c>, capped at <c>maxDelay</c>.</summary>
public sealed class ItemExponentialFailureRateLimiter : IWorkQueueRateLimiter
{
    private readonly Lock _gate = new();
    private readonly Dictionary<ObjectKey, int> _failures = [];
    private readonly TimeSpan _baseDelay;
    private readonly TimeSpan _maxDelay;

    public ItemExponentialFailureRateLimiter(TimeSpan baseDelay, TimeSpan maxDelay)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(baseDelay, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxDelay, baseDelay);
        _baseDelay = baseDelay;
        _maxDelay = maxDelay;
    }

    public TimeSpan When(ObjectKey key)
    {
        int exponent;
        lock (_gate)
        {
            exponent = _failures.GetValueOrDefault(key);
            _failures[key] = exponent + 1;
        }
        return ExponentialBackoff.Delay(_baseDelay, _maxDelay, exponent);
    }

    public void Forget(ObjectKey key)
    {
        lock (_gate)
        {
            _failures.Remove(key);
        }
    }

    public int NumRequeues(ObjectKey key)
    {
        lock (_gate)
        {
            return _failures.GetValueOrDefault(key);
        }
    }
}
