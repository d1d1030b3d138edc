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
/// dashboard's detail page reads it whole too.
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

    private static bool IsOver(ImageBuildStatus status) =>
        status.Phase is Phases.Succeeded or Phases.Failed && status.CleanedUp == true && status.Notification is not null;
}
