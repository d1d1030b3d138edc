namespace ImageBuilder.Operator.Controllers.Queues;

/// <summary>
/// An overall token bucket shared by all keys, so that a burst of failures (say, the registry is down
/// for every build) cannot turn into a retry storm; each call reserves one token.
/// </summary>
public sealed class BucketRateLimiter : IWorkQueueRateLimiter
{
    private readonly Lock _gate = new();
    private readonly TimeProvider _time;
    private readonly double _perSecond;
    private readonly double _burst;
    private double _tokens;
    private DateTimeOffset _last;

    public BucketRateLimiter(double perSecond, int burst, TimeProvider time)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(perSecond, 0);
        ArgumentOutOfRangeException.ThrowIfLessThan(burst, 1);
        ArgumentNullException.ThrowIfNull(time);
        _perSecond = perSecond;
        _burst = burst;
        _tokens = burst;
        _time = time;
        _last = time.GetUtcNow();
    }

    public TimeSpan When(ObjectKey key)
    {
        lock (_gate)
        {
            var now = _time.GetUtcNow();
            var elapsed = Math.Max(0, (now - _last).TotalSeconds);
            _last = now;
            _tokens = Math.Min(_burst, _tokens + (elapsed * _perSecond)) - 1;
            return _tokens >= 0 ? TimeSpan.Zero : TimeSpan.FromSeconds(-_tokens / _perSecond);
        }
    }

    public void Forget(ObjectKey key)
    {
    }

    public int NumRequeues(ObjectKey key) => 0;
}
