namespace ImageBuilder.Operator.Controllers.Queues;

/// <summary>Decides how long a key waits before it is retried (client-go's workqueue.RateLimiter).</summary>
public interface IWorkQueueRateLimiter
{
    /// <summary>The delay for the next retry of <paramref name="key"/>; each call counts as one more failure.</summary>
    TimeSpan When(ObjectKey key);

    /// <summary>Resets the failure history of <paramref name="key"/>, after a success.</summary>
    void Forget(ObjectKey key);

    int NumRequeues(ObjectKey key);
}
