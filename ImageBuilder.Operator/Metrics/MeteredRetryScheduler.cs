using ImageBuilder.Operator.Api;

namespace ImageBuilder.Operator.Metrics;

/// <summary>Counts the retries handed to whichever scheduler is registered (fail queue or clock).</summary>
public sealed class MeteredRetryScheduler(IRetryScheduler inner, OperatorMetrics metrics) : IRetryScheduler
{
    public async Task ScheduleAsync(ImageBuild build, int nextAttempt, TimeSpan delay, BuildFailure failure, CancellationToken cancellationToken)
    {
        await inner.ScheduleAsync(build, nextAttempt, delay, failure, cancellationToken);
        metrics.RetryScheduled(failure);
    }

    public bool IsReleased(ImageBuild build, int nextAttempt, DateTimeOffset now) => inner.IsReleased(build, nextAttempt, now);
}
