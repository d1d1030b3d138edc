using ImageBuilder.Operator.Api;

namespace ImageBuilder.Operator.Retries;

/// <summary>
/// Holds a failed build's next attempt for its backoff delay: the fail queue where RabbitMQ is
/// configured, the operator's own clock where it is not.
/// </summary>
public interface IRetryScheduler
{
    /// <summary>Hands attempt <paramref name="nextAttempt"/> of <paramref name="build"/> over to wait <paramref name="delay"/>.</summary>
    Task ScheduleAsync(ImageBuild build, int nextAttempt, TimeSpan delay, BuildFailure failure, CancellationToken cancellationToken);

    /// <summary>True once attempt <paramref name="nextAttempt"/> may start.</summary>
    bool IsReleased(ImageBuild build, int nextAttempt, DateTimeOffset now);
}
