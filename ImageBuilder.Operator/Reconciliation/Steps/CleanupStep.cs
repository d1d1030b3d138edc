using System.Globalization;
using System.Net;
using ImageBuilder.Operator.Api;
using ImageBuilder.Operator.Controllers;
using ImageBuilder.Operator.Controllers.Client;
using ImageBuilder.Operator.Options;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Options;

namespace ImageBuilder.Operator.Reconciliation.Steps;

/// <summary>
/// Once the build ended and was notified: deletes the token Secret the build owns (the token is
/// not needed any more and should not linger) and prunes finished Jobs beyond the history limits.
/// Runs once; <c>status.cleanedUp</c> remembers it. Sets: no condition.
/// </summary>
public sealed class CleanupStep(
    BuildTeardown teardown,
    IObjectCache<V1Job> jobCache,
    IObjectDeleter<V1Job> jobDeleter,
    IOptions<BuildOptions> buildOptions) : IReconcileStep
{
    private readonly BuildOptions _options = buildOptions.Value;

    public async Task<StepResult> RunAsync(ReconcileContext context, CancellationToken cancellationToken)
    {
        // A silent phase (Superseded, Cancelled) has no notification to wait for.
        if (!context.IsTerminal || (context.Status.Notification is null && !Phases.IsSilent(context.Status.Phase)) || context.Status.CleanedUp == true)
        {
            return StepResult.Continue();
        }
        try
        {
            await teardown.DeleteOwnedTokenSecretAsync(context.Build, cancellationToken);
            await PruneJobsAsync(context, cancellationToken);
        }
        catch (Exception e) when (e is HttpOperationException or HttpRequestException)
        {
            // The notification is already confirmed: a thrown error would drop the status that records
            // it and the next reconcile would send it again. Write it, and retry the cleanup later.
            return StepResult.Failed($"cleanup failed: {e.Message}");
        }
        context.Status.CleanedUp = true;
        return StepResult.Continue();
    }

    private async Task PruneJobsAsync(ReconcileContext context, CancellationToken cancellationToken)
    {
        // Matched by owner, not by the build-name label: a name may be longer than a label value can be. From the
        // cache (the operator's Jobs only): the build ended on what that cache showed of its Jobs, so it holds them finished.
        var finished = jobCache.List(context.Namespace)
            .Where(j => j.Metadata.OwnerReferences?.Any(o => o.Uid == context.Build.Metadata.Uid) == true)
            .Where(j => j.Status?.CompletionTime is not null || (j.Status?.Failed ?? 0) > 0).ToList();
        var surplus = Surplus(finished.Where(j => (j.Status?.Succeeded ?? 0) > 0), _options.SuccessfulJobsHistoryLimit)
            .Concat(Surplus(finished.Where(j => (j.Status?.Succeeded ?? 0) == 0), _options.FailedJobsHistoryLimit));
        foreach (var job in surplus)
        {
            try
            {
                await jobDeleter.DeleteAsync(context.Namespace, job.Metadata.Name, cancellationToken);
            }
            catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
            {
                // Deleted meanwhile.
            }
        }
    }

    private static IEnumerable<V1Job> Surplus(IEnumerable<V1Job> jobs, int keep) =>
        jobs.OrderByDescending(j => j.Metadata.Labels is { } labels && labels.TryGetValue(Annotations.AttemptLabel, out var value)
                && int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var attempt) ? attempt : 0)
            .Skip(keep);
}
