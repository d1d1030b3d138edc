using ImageBuilder.Operator.Api;
using ImageBuilder.Operator.Controllers;
using ImageBuilder.Operator.Metrics;
using ImageBuilder.Operator.Reconciliation.Admission;
using ImageBuilder.Operator.Reconciliation.Steps;
using ImageBuilder.Operator.Sources;

namespace ImageBuilder.Operator.Reconciliation;

/// <summary>
/// Drives one ImageBuild toward Succeeded or Failed: the steps of <see cref="Lifecycle"/> in order on a copy of the
/// status, then one status write (only if it changed) and the Events of the state changes. A step that throws still
/// ends in a status write (<see cref="StepRunner"/>). The phases and every move between them, with the step that
/// makes it: <see cref="BuildLifecycle.Transitions"/>; Ready is written once, at the end (<see cref="ReadySummary"/>).
/// </summary>
public sealed class ImageBuildReconciler(
    ImageBuildStore store,
    StepRunner runner,
    BuildEvents events,
    TimeProvider time,
    ILogger<ImageBuildReconciler> logger,
    AcceptStep accept,
    CancelStep cancel,
    ValidateStep validate,
    SupersedeStep supersede,
    RetryStep retry,
    ResolveSourceStep resolveSource,
    CacheCheckStep cacheCheck,
    AdmissionStep admission,
    EnsureJobStep ensureJob,
    ObserveJobStep observeJob,
    NotifyStep notify,
    CleanupStep cleanup,
    RetentionStep retention,
    OperatorMetrics metrics,
    BuildSlots? slots = null) : IReconciler<ImageBuild>
{
    public Task<ReconcileResult> ReconcileAsync(ObjectKey key, CancellationToken cancellationToken) =>
        metrics.MeasureReconcileAsync(() => ReconcileOnceAsync(key, cancellationToken), time);

    private async Task<ReconcileResult> ReconcileOnceAsync(ObjectKey key, CancellationToken cancellationToken)
    {
        var build = await store.GetAsync(key.Namespace, key.Name, cancellationToken);
        if (build is null || build.Metadata.DeletionTimestamp is not null)
        {
            // Gone or going: owner references let the garbage collector take its Jobs and Secret.
            return ReconcileResult.Done();
        }

        var (context, result) = await runner.RunAsync(new ReconcileContext(build, ImageBuildStore.CopyStatus(build.Status), time.GetUtcNow()), Lifecycle(), cancellationToken);
        if (ImageBuildCacheTrim.IsTrimmed(build) && ImageBuildStore.Changed(build, context.Status))
        {
            // The cached copy of a finished build lacks parts a status write would drop: decide again on the whole object.
            build = await store.GetLiveAsync(key, cancellationToken);
            if (build is null)
            {
                return ReconcileResult.Done();
            }
            (context, result) = await runner.RunAsync(new ReconcileContext(build, ImageBuildStore.CopyStatus(build.Status), time.GetUtcNow()), Lifecycle(), cancellationToken);
        }

        try
        {
            if (await store.WriteStatusIfChangedAsync(build, context.Status, cancellationToken))
            {
                Log.StatusWritten(logger, key.Namespace, key.Name, context.Status.Phase ?? "", context.Attempt);
                await events.RecordAsync(build, context.Events, cancellationToken);
                metrics.StatusWritten(build, build.Status, context.Status);
            }
        }
        finally
        {
            // A build slot reserved by the admission step but not used by a Job (a failure, a cancel) is given back.
            if (slots?.Settle(key, context.Status) is { } waited)
            {
                metrics.QueueWaitObserved(waited);
            }
        }
        return result switch
        {
            { Error: { } error } => ReconcileResult.Failed(error),
            { RequeueAfter: { } after } => ReconcileResult.Requeue(after),
            _ => ReconcileResult.Done(),
        };
    }

    /// <summary>
    /// The build lifecycle: every reconcile runs these steps in this order until one stops it (a Job to wait for, a
    /// delay, a terminal phase reached). Each acts only when the status says it is its turn, and moves the phase only
    /// as <see cref="BuildLifecycle.Transitions"/> allows.
    /// </summary>
    internal IReconcileStep[] Lifecycle()
    {
        // Where the build Job fetches the source: found by ResolveSource, handed to EnsureJob in the same reconcile
        // (the status keeps only the commit; the URLs are the connector's and may carry no meaning later).
        SourceResolution? source = null;
        return
        [
            accept,      // a new build: phase Pending, Ready Unknown
            cancel,      // the cancel annotation on an unfinished build: Cancelled; a cancelled build stops here
            validate,    // what the schema cannot check: Failed (user fault)
            supersede,   // a newer request for the same application and ref: Superseded
            retry,       // Retrying until the fail queue releases the next attempt, then Pending
            // The current attempt has no Job yet (BuildLifecycle.NeedsJob): the next four steps get it one.
            new NamedStep(StepRunner.StepName(typeof(ResolveSourceStep)), async (context, cancellationToken) =>
            {
                (var result, source) = await resolveSource.RunAsync(context, cancellationToken);
                return result;
            }),          // the token and the ref → a commit (or wait for the token Secret: Pending)
            cacheCheck,  // the image of that commit already pushed: Succeeded without a Job
            admission,   // no free build slot: Queued
            new NamedStep(StepRunner.StepName(typeof(EnsureJobStep)), (context, cancellationToken) =>
                source is null ? Task.FromResult(StepResult.Continue()) : ensureJob.RunAsync(context, source, cancellationToken)), // the Job: Building
            observeJob,  // the Job's outcome: Succeeded, or Retrying / Failed
            notify,      // a terminal build not yet announced: the BuildResponse, once confirmed
            cleanup,     // announced: the token Secret deleted, old Jobs pruned
            retention,   // settled: deleted when the retention settings say so
        ];
    }
}
