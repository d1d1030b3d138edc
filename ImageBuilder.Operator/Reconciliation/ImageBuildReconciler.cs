using ImageBuilder.Operator.Api;
using ImageBuilder.Operator.Controllers;
using ImageBuilder.Operator.Metrics;
using ImageBuilder.Operator.Reconciliation.Admission;
using ImageBuilder.Operator.Reconciliation.Steps;

namespace ImageBuilder.Operator.Reconciliation;

/// <summary>
/// Drives one ImageBuild toward Succeeded or Failed: an ordered list of small steps on a copy of
/// the status, then one status write (only if it changed) and the Events of the state changes. A step that
/// throws still ends in a status write (<see cref="StepRunner"/>).
/// </summary>
public sealed class ImageBuildReconciler(
    ImageBuildStore store,
    StepRunner runner,
    BuildEvents events,
    TimeProvider time,
    ILogger<ImageBuildReconciler> logger,
    OperatorMetrics? metrics = null,
    BuildSlots? slots = null) : IReconciler<ImageBuild>
{
    public async Task<ReconcileResult> ReconcileAsync(ObjectKey key, CancellationToken cancellationToken)
    {
        var build = await store.GetAsync(key.Namespace, key.Name, cancellationToken);
        if (build is null || build.Metadata.DeletionTimestamp is not null)
        {
            // Gone or going: owner references let the garbage collector take its Jobs and Secret.
            return ReconcileResult.Done();
        }

        var (context, result) = await runner.RunAsync(new ReconcileContext(build, ImageBuildStore.CopyStatus(build.Status), time.GetUtcNow()), cancellationToken);
        if (ImageBuildCacheTrim.IsTrimmed(build) && ImageBuildStore.Changed(build, context.Status))
        {
            // The cached copy of a finished build lacks parts a status write would drop: decide again on the whole object.
            build = await store.GetLiveAsync(key, cancellationToken);
            if (build is null)
            {
                return ReconcileResult.Done();
            }
            (context, result) = await runner.RunAsync(new ReconcileContext(build, ImageBuildStore.CopyStatus(build.Status), time.GetUtcNow()), cancellationToken);
        }

        try
        {
            if (await store.WriteStatusIfChangedAsync(build, context.Status, cancellationToken))
            {
                Log.StatusWritten(logger, key.Namespace, key.Name, context.Status.Phase ?? "", context.Attempt);
                await events.RecordAsync(build, context.Events, cancellationToken);
                metrics?.StatusWritten(build, build.Status, context.Status);
            }
        }
        finally
        {
            // A build slot reserved by the admission step but not used by a Job (a failure, a cancel) is given back.
            if (slots?.Settle(key, context.Status) is { } waited)
            {
                metrics?.QueueWaitObserved(waited);
            }
        }
        return result switch
        {
            { Error: { } error } => ReconcileResult.Failed(error),
            { RequeueAfter: { } after } => ReconcileResult.Requeue(after),
            _ => ReconcileResult.Done(),
        };
    }

    /// <summary>The steps in reconcile order; registered in DI in this order.</summary>
    public static readonly Type[] StepOrder =
    [
        typeof(AcceptStep), typeof(CancelStep), typeof(ValidateStep), typeof(SupersedeStep), typeof(RetryStep), typeof(ResolveSourceStep),
        typeof(CacheCheckStep), typeof(AdmissionStep), typeof(EnsureJobStep), typeof(ObserveJobStep), typeof(NotifyStep), typeof(CleanupStep),
        typeof(RetentionStep),
    ];
}
