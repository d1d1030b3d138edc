using ImageBuilder.Operator.Api;
using ImageBuilder.Operator.Metrics;

namespace ImageBuilder.Operator.Reconciliation;

/// <summary>
/// What a status write means for the operator's metrics. Reading phases, conditions and reasons is the
/// reconciler's business, so it is done here, beside the code that writes them; Metrics only counts what it is told.
/// </summary>
public static class BuildMetrics
{
    /// <summary>Counts a status write that ended a build; a no-op for every other write.</summary>
    public static void StatusWritten(this OperatorMetrics metrics, ImageBuild build, ImageBuildStatus? before, ImageBuildStatus written)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        ArgumentNullException.ThrowIfNull(written);
        if (written.Phase == Phases.Cancelled && before?.Phase != Phases.Cancelled)
        {
            metrics.BuildCancelled();
        }
        if (written.Phase == Phases.Superseded && before?.Phase != Phases.Superseded)
        {
            var reason = written.Conditions?.FirstOrDefault(c => c.Type == ConditionTypes.Ready)?.Reason;
            metrics.BuildSuperseded(reason == Reasons.NewerBuildAnnounced ? MetricLabels.NewerAnnounced : MetricLabels.NewerRequest);
        }
        if (BuildTransitions.Completion(build, before, written) is { } completion)
        {
            metrics.BuildFinished(completion);
        }
    }
}
