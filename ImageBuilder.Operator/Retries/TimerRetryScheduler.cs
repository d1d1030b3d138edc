using ImageBuilder.Operator.Api;
using ImageBuilder.Operator.Metrics;

namespace ImageBuilder.Operator.Retries;

/// <summary>Retries without a broker: the next attempt is due at status.nextAttemptTime on the operator's clock.</summary>
public sealed class TimerRetryScheduler(OperatorMetrics metrics) : IRetryScheduler
{
    public Task ScheduleAsync(ImageBuild build, int nextAttempt, TimeSpan delay, BuildFailure failure, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(failure);
        metrics.RetryScheduled(failure);
        return Task.CompletedTask;
    }

    public bool IsReleased(ImageBuild build, int nextAttempt, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(build);
        return build.Status?.NextAttemptTime is not { } due || now >= AsUtc(due);
    }

    /// <summary>Status times are UTC on the wire; a deserializer may still hand them over as Local or Unspecified.</summary>
    internal static DateTimeOffset AsUtc(DateTime time) => time.Kind switch
    {
        DateTimeKind.Local => new DateTimeOffset(time.ToUniversalTime()),
        _ => new DateTimeOffset(DateTime.SpecifyKind(time, DateTimeKind.Utc)),
    };
}
