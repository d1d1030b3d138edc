namespace ImageBuilder.Operator.Controllers.Queues;

/// <summary>The controller's retry policy.</summary>
public static class RateLimiters
{
    /// <summary>client-go's default shape: per-key exponential backoff, and an overall token bucket on top.</summary>
    public static IWorkQueueRateLimiter Default(TimeSpan backoffBase, TimeSpan backoffMax, double retriesPerSecond, int retryBurst, TimeProvider time) =>
        new MaxOfRateLimiter(
            new ItemExponentialFailureRateLimiter(backoffBase, backoffMax),
            new BucketRateLimiter(retriesPerSecond, retryBurst, time));
}
