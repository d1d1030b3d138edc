using ImageBuilder.Operator.Reconciliation.Steps;
using ImageBuilder.Operator.Sources;

namespace ImageBuilder.Operator.Reconciliation;

/// <summary>The steps one reconcile of an ImageBuild runs, in order (a new list each time: it may carry that reconcile's state).</summary>
public interface IBuildSteps
{
    IReadOnlyList<IReconcileStep> ForOneReconcile();
}

/// <summary>
/// The build lifecycle on one screen: the steps in the order <see cref="ImageBuildReconciler"/> runs them. The phases and
/// every move between them, with the step that makes it: <see cref="BuildLifecycle.Transitions"/>.
/// </summary>
public sealed class BuildSteps(
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
    RetentionStep retention) : IBuildSteps
{
    /// <summary>
    /// The build lifecycle: every reconcile runs these steps in this order until one stops it (a Job to wait for, a
    /// delay, a terminal phase reached). Each acts only when the status says it is its turn, and moves the phase only
    /// as <see cref="BuildLifecycle.Transitions"/> allows.
    /// </summary>
    public IReadOnlyList<IReconcileStep> ForOneReconcile()
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
