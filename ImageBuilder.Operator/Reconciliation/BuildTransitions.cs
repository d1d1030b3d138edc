using ImageBuilder.Operator.Api;
using ImageBuilder.Operator.Metrics;

namespace ImageBuilder.Operator.Reconciliation;

/// <summary>Tells a status write that ends a build from the many that do not, so each build counts once.</summary>
public static class BuildTransitions
{
    /// <summary>The completion when <paramref name="written"/> is terminal and <paramref name="before"/> was not; otherwise null.</summary>
    public static BuildCompletion? Completion(ImageBuild build, ImageBuildStatus? before, ImageBuildStatus written)
    {
        ArgumentNullException.ThrowIfNull(build);
        ArgumentNullException.ThrowIfNull(written);
        if (IsTerminal(before?.Phase) || !IsTerminal(written.Phase))
        {
            return null;
        }
        var duration = build.Metadata.CreationTimestamp is { } created && written.CompletionTime is { } completed
            ? Clamp(ToUtc(completed) - ToUtc(created))
            : (TimeSpan?)null;
        if (written.Phase == Phases.Failed)
        {
            return new BuildCompletion(MetricLabels.Failed, written.LastFailure?.Fault ?? Faults.Service, duration);
        }
        var ready = written.Conditions?.FirstOrDefault(c => c.Type == ConditionTypes.Ready);
        var outcome = ready?.Reason == Reasons.CacheHit ? MetricLabels.CacheHit : MetricLabels.Succeeded;
        return new BuildCompletion(outcome, MetricLabels.NoFault, duration);
    }

    private static bool IsTerminal(string? phase) => phase is Phases.Succeeded or Phases.Failed;

    // The apiserver's timestamps come back as Unspecified or Local kinds depending on the serializer path.
    private static DateTime ToUtc(DateTime time) => time.Kind == DateTimeKind.Unspecified
        ? DateTime.SpecifyKind(time, DateTimeKind.Utc)
        : time.ToUniversalTime();

    // Creation time has second precision and another clock: a fast cache hit can look negative.
    private static TimeSpan Clamp(TimeSpan duration) => duration < TimeSpan.Zero ? TimeSpan.Zero : duration;
}
