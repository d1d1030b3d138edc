using System.Net;
using System.Text.Json;
using ImageBuilder.Operator.Api;
using ImageBuilder.Operator.Builds;
using ImageBuilder.Operator.Controllers.Client;
using ImageBuilder.Operator.Options;
using ImageBuilder.Operator.Sources;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Options;

namespace ImageBuilder.Operator.Reconciliation.Steps;

/// <summary>
/// Creates the current attempt's build Job from the configured strategy, for the source <see cref="ResolveSourceStep"/>
/// resolved in this reconcile. Idempotent: the Job's name is fixed per attempt, so one left by a crash is adopted.
/// Sets: Building.
/// </summary>
public sealed class EnsureJobStep(
    IObjectCreator<V1Job> jobCreator,
    IObjectReader<V1Job> jobs,
    IObjectDeleter<V1Job> jobDeleter,
    IBuildStrategyProvider strategies,
    RegistrySecrets registrySecrets,
    BuildOutcomes outcomes,
    IOptions<BuildOptions> buildOptions)
{
    private readonly BuildOptions _options = buildOptions.Value;

    public async Task<StepResult> RunAsync(ReconcileContext context, SourceResolution source, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(source);
        if (!BuildLifecycle.NeedsJob(context) || source.Commit is not { } commit || context.Status.Image is not { } image)
        {
            return StepResult.Continue();
        }
        var registrySecret = await registrySecrets.EnsureAsync(context.Namespace, cancellationToken);
        var jobName = JobNames.For(context.Build, context.Attempt);
        var timeout = context.Build.Spec.TimeoutSeconds is int seconds ? TimeSpan.FromSeconds(seconds) : _options.DefaultTimeout;
        var tokenRef = context.Build.Spec.Source.TokenSecretRef;
        var request = new BuildJobRequest(context.Build, jobName, context.Attempt, commit, source.ArchiveUrl, source.CloneUrl, image,
            tokenRef?.Name ?? "", string.IsNullOrEmpty(tokenRef?.Key) ? "token" : tokenRef.Key, registrySecret, timeout);
        try
        {
            await jobCreator.CreateAsync(context.Namespace, strategies.Current.CreateJob(request), cancellationToken);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Conflict)
        {
            // Created by an earlier reconcile whose status write did not land: adopt it. A Job of that
            // name owned by another uid is a leftover of a deleted ImageBuild of the same name, which the
            // garbage collector is about to delete: adopting it would lose this attempt, so remove it first.
            // Live read: the informer may not have seen a Job created a moment ago.
            var existing = await jobs.GetAsync(context.Namespace, jobName, cancellationToken);
            if (existing is null)
            {
                // Deleted between the create and the read (the garbage collector's leftover): the next reconcile creates it.
                return StepResult.RequeueAfterDelay(TimeSpan.FromSeconds(1));
            }
            if (existing.Metadata.OwnerReferences?.Any(o => o.Uid == context.Build.Metadata.Uid) != true)
            {
                await jobDeleter.DeleteAsync(context.Namespace, jobName, cancellationToken);
                return StepResult.RequeueAfterDelay(TimeSpan.FromSeconds(1));
            }
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.UnprocessableEntity)
        {
            // Sending the same Job again cannot help: end the attempt with the apiserver's reason
            // instead of retrying the reconcile forever with nothing in the status.
            return await outcomes.FailAsync(context, Rejected(jobName, e), cancellationToken);
        }

        var status = context.Status;
        var message = $"Attempt {context.Attempt}: Job {jobName} builds commit {commit[..Math.Min(12, commit.Length)]} into {image}.";
        context.MoveTo(Phases.Building, Reasons.BuildStarted, message);
        status.Job = jobName;
        status.StartTime ??= context.Now.UtcDateTime;
        context.SetCondition(ConditionTypes.Building, "True", Reasons.BuildStarted, message);
        context.Event(Reasons.BuildStarted, message);
        // The Job watch brings the next reconcile; the requeue only arms the never-started watchdog.
        return StepResult.RequeueAfterDelay(_options.PendingTimeout);
    }

    private static BuildFailure Rejected(string jobName, HttpOperationException e)
    {
        string? reason = null;
        try
        {
            reason = KubernetesJson.Deserialize<V1Status>(e.Response.Content)?.Message;
        }
        catch (JsonException)
        {
            // Not a Status object: the generic message below says enough.
        }
        return new BuildFailure
        {
            Fault = Faults.Service,
            Reason = Reasons.JobRejected,
            Message = $"Kubernetes rejected the build Job {jobName}: {reason ?? "invalid"}",
        };
    }
}
