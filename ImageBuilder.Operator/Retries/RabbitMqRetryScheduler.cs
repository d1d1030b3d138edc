using System.Globalization;
using System.Text.Json;
using ImageBuilder.Operator.Api;
using ImageBuilder.Operator.Metrics;
using ImageBuilder.Operator.Options;
using ImageBuilder.Operator.RabbitMq;
using Microsoft.Extensions.Options;

namespace ImageBuilder.Operator.Retries;

/// <summary>
/// Holds a retry on the fail queue's delay tiers: the smallest tier at least as long as the delay.
/// When the tier's TTL expires the broker dead-letters the release to the fail queue, where
/// <see cref="RetryListener"/> marks the ImageBuild released. Dead-lettering is at-most-once, so a
/// release that never arrives is granted anyway <see cref="RetryOptions.ReleaseGracePeriod"/> after
/// the planned time.
/// </summary>
public sealed class RabbitMqRetryScheduler(
    RabbitMqPublisher publisher,
    RabbitMqConnection connection,
    IOptions<RetryOptions> retryOptions,
    OperatorMetrics metrics,
    ILogger<RabbitMqRetryScheduler> logger) : IRetryScheduler
{
    public async Task ScheduleAsync(ImageBuild build, int nextAttempt, TimeSpan delay, BuildFailure failure, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(build);
        ArgumentNullException.ThrowIfNull(failure);
        var tiers = connection.DelayTiers;
        var tier = tiers.TierFor(delay);
        var queue = tiers.QueueName(tier);
        var release = new RetryRelease
        {
            Namespace = build.Metadata.NamespaceProperty ?? "",
            Name = build.Metadata.Name ?? "",
            Uid = build.Metadata.Uid ?? "",
            Attempt = nextAttempt,
            Fault = failure.Fault,
            Reason = failure.Reason,
            DelaySeconds = delay.TotalSeconds,
            ApplicationId = build.Spec.ApplicationId,
            UserId = build.Spec.UserId,
            Repo = build.Spec.Source.Repo,
        };
        var properties = publisher.NewProperties($"{release.Uid}-retry-{nextAttempt}", nameof(RetryRelease));
        var headers = properties.Headers!;
        headers[RetryRelease.NamespaceHeader] = release.Namespace;
        headers[RetryRelease.NameHeader] = release.Name;
        headers[RetryRelease.UidHeader] = release.Uid;
        headers[RetryRelease.AttemptHeader] = nextAttempt.ToString(CultureInfo.InvariantCulture);
        headers[RetryRelease.FaultHeader] = release.Fault;
        headers[RetryRelease.ReasonHeader] = release.Reason;
        properties.CorrelationId = $"{release.Namespace}/{release.Name}";
        await publisher.PublishAsync(queue, JsonSerializer.SerializeToUtf8Bytes(release), properties, cancellationToken);
        Log.RetryScheduled(logger, nextAttempt, release.Namespace, release.Name, tier, queue, delay);
        metrics.RetryScheduled(failure);
    }

    public bool IsReleased(ImageBuild build, int nextAttempt, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(build);
        if (ReleasedAttempt(build) >= nextAttempt)
        {
            return true;
        }
        return build.Status?.NextAttemptTime is { } due
            && now >= TimerRetryScheduler.AsUtc(due) + retryOptions.Value.ReleaseGracePeriod;
    }

    /// <summary>The attempt the retry listener last released, 0 when none.</summary>
    public static int ReleasedAttempt(ImageBuild build)
    {
        ArgumentNullException.ThrowIfNull(build);
        return build.Metadata.Annotations is { } annotations
            && annotations.TryGetValue(Annotations.RetryReleased, out var value)
            && int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var attempt)
            ? attempt
            : 0;
    }
}
