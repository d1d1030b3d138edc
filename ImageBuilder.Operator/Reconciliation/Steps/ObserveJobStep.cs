using ImageBuilder.Operator.Api;
using ImageBuilder.Operator.Builds;
using ImageBuilder.Operator.Controllers;
using ImageBuilder.Operator.Controllers.Client;
using ImageBuilder.Operator.Options;
using k8s.Models;
using Microsoft.Extensions.Options;

namespace ImageBuilder.Operator.Reconciliation.Steps;

/// <summary>
/// Reads the current attempt's Job and pod and turns them into an outcome: still running, pushed
/// (digest from the termination message), failed (classified), or a pod that never started
/// (the watchdog deletes the Job). Sets: Building, Ready.
/// </summary>
public sealed class ObserveJobStep(
    IObjectCache<V1Job> jobCache,
    IObjectReader<V1Job> jobs,
    IObjectDeleter<V1Job> jobDeleter,
    IObjectLister<V1Pod> pods,
    BuildJobObserver observer,
    BuildOutcomes outcomes,
    IOptions<BuildOptions> buildOptions) : IReconcileStep
{
    private readonly BuildOptions _options = buildOptions.Value;

    public async Task<StepResult> RunAsync(ReconcileContext context, CancellationToken cancellationToken)
    {
        if (context.Status.Phase != Phases.Building || context.Status.Job is not { } jobName)
        {
            return StepResult.Continue();
        }
        var job = await ReadJobAsync(context.Namespace, jobName, cancellationToken);
        if (job is null)
        {
            return await FailAsync(context, new BuildFailure { Fault = Faults.Service, Reason = Reasons.JobLost, Message = $"The build Job {jobName} disappeared before it finished." }, cancellationToken);
        }
        var pod = NeedsPod(job, context.Now) ? await ReadPodAsync(context.Namespace, jobName, cancellationToken) : null;

        switch (observer.Observe(job, pod, context.Now, _options.PendingTimeout))
        {
            case JobOutcome.Succeeded succeeded:
                context.SetCondition(ConditionTypes.Building, "False", Reasons.BuildSucceeded, $"Job {jobName} pushed {succeeded.Digest}.");
                BuildOutcomes.Succeed(context, succeeded.Digest, Reasons.BuildSucceeded, $"Pushed {context.Status.Image} ({succeeded.Digest}).");
                return StepResult.Continue();
            case JobOutcome.Failed failed:
                return await FailAsync(context, failed.Failure, cancellationToken);
            case JobOutcome.PendingTooLong pending:
                // Background propagation: the pod goes with the Job.
                await jobDeleter.DeleteAsync(context.Namespace, jobName, cancellationToken);
                return await FailAsync(context, pending.Failure, cancellationToken);
            default:
                context.SetCondition(ConditionTypes.Building, "True", Reasons.JobRunning, $"Job {jobName} is running attempt {context.Attempt}.");
                return WatchdogRequeue(job, context.Now);
        }
    }

    /// <summary>
    /// The pod is read (live: pods are not cached, there can be many and only this moment needs them) only when
    /// the Job ended (the digest and the failure's cause are in the pod's termination message) or when the
    /// never-started watchdog is due; a running Job's pod tells nothing the Job does not.
    /// </summary>
    private bool NeedsPod(V1Job job, DateTimeOffset now) =>
        job.Status?.Conditions?.Any(c => c.Status == "True" && c.Type is "Complete" or "Failed") == true
        || (job.Status?.Succeeded ?? 0) > 0 || (job.Status?.Failed ?? 0) > 0
        || job.Metadata.CreationTimestamp is not { } created
        || now - new DateTimeOffset(DateTime.SpecifyKind(created, DateTimeKind.Utc)) >= _options.PendingTimeout;

    private async Task<V1Pod?> ReadPodAsync(string ns, string jobName, CancellationToken cancellationToken) =>
        (await pods.ListAsync(ns, $"job-name={jobName}", cancellationToken)).OrderByDescending(p => p.Metadata.CreationTimestamp).FirstOrDefault();

    private async Task<V1Job?> ReadJobAsync(string ns, string name, CancellationToken cancellationToken)
    {
        if (jobCache.Get(new ObjectKey(ns, name)) is { } cached)
        {
            return cached;
        }
        // Live read: the cache may not have seen a Job created a moment ago, and calling that Job lost would fail the build.
        return await jobs.GetAsync(ns, name, cancellationToken);
    }

    // A pod that never starts produces no Job event; the requeue makes sure the watchdog looks again.
    private StepResult WatchdogRequeue(V1Job job, DateTimeOffset now)
    {
        var created = job.Metadata.CreationTimestamp is { } t ? new DateTimeOffset(t, TimeSpan.Zero) : now;
        var due = created + _options.PendingTimeout - now;
        return StepResult.RequeueAfterDelay(due > TimeSpan.Zero ? due + TimeSpan.FromSeconds(1) : _options.PendingTimeout);
    }

    private async Task<StepResult> FailAsync(ReconcileContext context, BuildFailure failure, CancellationToken cancellationToken)
    {
        context.SetCondition(ConditionTypes.Building, "False", failure.Reason, failure.Message);
        return await outcomes.FailAsync(context, failure, cancellationToken);
    }
}
