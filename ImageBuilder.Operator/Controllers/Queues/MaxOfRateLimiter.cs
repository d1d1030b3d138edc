namespace ImageBuilder.Operator.Controllers.Queues;

/// <summary>The longest delay of several limiters (client-go's MaxOfRateLimiter): per-key backoff and an overall bucket.</summary>
public sealed class MaxOfRateLimiter : IWorkQueueRateLimiter
{
    private readonly IWorkQueueRateLimiter[] _limiters;

    public MaxOfRateLimiter(params IWorkQueueRateLimiter[] limiters)
    {
        ArgumentNullException.ThrowIfNull(limiters);
        ArgumentOutOfRangeException.ThrowIfZero(limiters.Length);
        _limiters = limiters;
    }

    public TimeSpan When(ObjectKey key)
    {
        var delay = TimeSpan.Zero;
        foreach (var limiter in _limiters)
        {
            // Every limiter is asked, so each records the failure or reserves its token.
            var next = limiter.When(key);
            if (next > delay)
            {
                delay = next;
            }
        }
        return delay;
    }

    public void Forget(ObjectKey key)
    {
        foreach (var limiter in _limiters)
        {
            limiter.Forget(key);
        }
    }

    public int NumRequeues(ObjectKey key) => _limiters.Max(l => l.NumRequeues(key));
}
