using System.Net;
using ImageBuilder.Operator.Api;
using ImageBuilder.Operator.Builds;
using ImageBuilder.Operator.Options;
using k8s;
using k8s.Autorest;
using Microsoft.Extensions.Options;

namespace ImageBuilder.Operator.Reconciliation.Steps;

/// <summary>
/// Creates the current attempt's build Job from the configured strategy. Idempotent: the Job's
/// name is fixed per attempt, so one left by a crash is adopted. Sets: Building, Ready.
/// </summary>
public sealed class EnsureJobStep(
    IKubernetes kubernetes,
    IBuildStrategyProvider strategies,
    RegistrySecrets registrySecrets,
    IOptions<BuildOptions> buildOptions) : IReconcileStep
{
    private readonly BuildOptions _options = buildOptions.Value;

    public async Task<StepResult> RunAsync(ReconcileContext context, CancellationToken cancellationToken)
    {
        if (!ResolveSourceStep.NeedsJob(context) || context.Status.Commit is not { } commit || context.Status.Image is not { } image)
        {
            return StepResult.Continue();
        }
        var registrySecret = await registrySecrets.EnsureAsync(context.Namespace, cancellationToken);
        var jobName = JobNames.For(context.Build, context.Attempt);
        var timeout = context.Build.Spec.TimeoutSeconds is int seconds ? TimeSpan.FromSeconds(seconds) : _options.DefaultTimeout;
        var tokenRef = context.Build.Spec.Source.TokenSecretRef;
        var request = new BuildJobRequest(context.Build, jobName, context.Attempt, commit, context.ArchiveUrl, context.CloneUrl, image,
            tokenRef?.Name ?? "", string.IsNullOrEmpty(tokenRef?.Key) ? "token" : tokenRef.Key, registrySecret, timeout);
        try
        {
            await kubernetes.BatchV1.CreateNamespacedJobAsync(strategies.Current.CreateJob(request), context.Namespace, cancellationToken: cancellationToken);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Conflict)
        {
            // Created by an earlier reconcile whose status write did not land: adopt it.
        }

        var status = context.Status;
        status.Job = jobName;
        status.Phase = Phases.Building;
        status.StartTime ??= context.Now.UtcDateTime;
        var message = $"Attempt {context.Attempt}: Job {jobName} builds commit {commit[..Math.Min(12, commit.Length)]} into {image}.";
        context.SetCondition(ConditionTypes.Building, "True", Reasons.BuildStarted, message);
        context.SetCondition(ConditionTypes.Ready, "False", Reasons.BuildStarted, message);
        context.Event(Reasons.BuildStarted, message);
        // The Job watch brings the next reconcile; the requeue only arms the never-started watchdog.
        return StepResult.RequeueAfterDelay(_options.PendingTimeout);
    }
}
