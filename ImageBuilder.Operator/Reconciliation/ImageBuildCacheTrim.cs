using System.Runtime.CompilerServices;
using ImageBuilder.Operator.Api;
using ImageBuilder.Operator.Controllers.Client;

namespace ImageBuilder.Operator.Reconciliation;

/// <summary>
/// What the ImageBuild cache keeps. Every build loses managedFields and the last-applied annotation. A build that
/// is over (terminal, notified, cleaned up: nothing is left to do for it, and most builds present are such) also
/// loses the payload no step decides on: the failure's log tail, the conditions' messages and the build plan
/// beyond its builder. Such a trimmed copy is good for seeing that nothing needs doing; a reconcile that finds
/// something to write reads the whole object and runs again (<see cref="ImageBuildReconciler"/>), and the
/// dashboard's one-build view reads it whole (<see cref="Dashboard.BuildDetails"/>). What stays is what the other
/// readers of the cache use: the admission queue (phase, userId, creationTimestamp, the cancel annotation), superseding
/// and notification order (requested-at annotation, applicationId, source), retention (spec.retention, phase,
/// notification, completionTime, requested-by annotation, uid), the dashboard's list (phase, Ready reason, image).
/// </summary>
public static class ImageBuildCacheTrim
{
    private static readonly ConditionalWeakTable<ImageBuild, object> Trimmed = new();

    public static ImageBuild Trim(ImageBuild build)
    {
        ArgumentNullException.ThrowIfNull(build);
        CacheTransforms.Metadata(build);
        var status = build.Status;
        if (status is null)
        {
            return build;
        }
        status.Phase = CacheTransforms.Intern(status.Phase);
        foreach (var condition in status.Conditions ?? [])
        {
            condition.Type = CacheTransforms.Intern(condition.Type);
            condition.Status = CacheTransforms.Intern(condition.Status);
            condition.Reason = CacheTransforms.Intern(condition.Reason);
        }
        if (!IsOver(status))
        {
            return build;
        }
        foreach (var condition in status.Conditions ?? [])
        {
            condition.Message = null;
        }
        if (status.LastFailure is { } failure)
        {
            status.LastFailure = failure with { LogTail = null, Reason = CacheTransforms.Intern(failure.Reason)!, Fault = CacheTransforms.Intern(failure.Fault)! };
        }
        if (build.Spec?.BuildPlan is { } plan)
        {
            build.Spec.BuildPlan = new BuildPlanSpec { Builder = CacheTransforms.Intern(plan.Builder) };
        }
        Trimmed.AddOrUpdate(build, Trimmed);
        return build;
    }

    /// <summary>True for a cached copy that lacks parts of the object (see the class summary).</summary>
    public static bool IsTrimmed(ImageBuild build) => Trimmed.TryGetValue(build, out _);

    /// <summary>
    /// Terminal, notified (or of a phase never notified: Superseded, Cancelled) and cleaned up: no step acts on it again
    /// but retention, which reads only what stays (metadata, spec but the plan, phase, notification, completion time).
    /// </summary>
    private static bool IsOver(ImageBuildStatus status) => RetentionPolicy.IsSettled(status) && status.CleanedUp == true;
}
