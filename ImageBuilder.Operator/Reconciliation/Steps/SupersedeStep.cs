using System.Net;
using ImageBuilder.Operator.Api;
using ImageBuilder.Operator.Controllers;
using ImageBuilder.Operator.Controllers.Client;
using ImageBuilder.Operator.Options;
using k8s.Autorest;
using Microsoft.Extensions.Options;

namespace ImageBuilder.Operator.Reconciliation.Steps;

/// <summary>
/// Ends an unfinished build that a newer request replaces (<see cref="Supersession"/>): its Jobs and token Secret are
/// deleted, the phase becomes Superseded with <c>status.supersededBy</c>, an Event names the newer ImageBuild, and nobody
/// is notified. Each build decides only its own fate, so its status has one writer; a newer build nudges the older ones
/// it replaces with the <see cref="Annotations.SupersededBy"/> annotation, whose change brings their reconcile at once
/// (a running build would otherwise wait for its Job to change or for the resync). Sets: Building.
/// </summary>
/// <remarks>
/// Siblings come from the informer's cache (its index of each application's builds). A stale cache can only delay a
/// decision, not make a wrong one: of two builds, the one the watch delivered second sees the first in the cache when
/// it is reconciled, so one of the two reconciles always finds the pair. Notifications do not depend on this step (<see cref="NotificationOrder"/> reads live).
/// </remarks>
public sealed class SupersedeStep(IObjectPatcher<ImageBuild> patcher, BuildTeardown teardown, IObjectCache<ImageBuild> cache, IOptions<SupersedeOptions> options, ILogger<SupersedeStep> logger) : IReconcileStep
{
    private static readonly TimeSpan AfterWrite = TimeSpan.FromSeconds(1);

    public async Task<StepResult> RunAsync(ReconcileContext context, CancellationToken cancellationToken)
    {
        if (!options.Value.Enabled || !Supersession.CanBeSuperseded(context.Status.Phase) || Supersession.ApplicationKey(context.Build) is not { } application)
        {
            return StepResult.Continue();
        }
        // Only builds of the same application supersede one another: the cache's index has them without a scan of the namespace.
        var siblings = cache.ByIndex(Supersession.ByApplication, application);
        if (Supersession.SupersededBy(context.Build, siblings) is { } newer)
        {
            await SupersedeAsync(context, newer, cancellationToken);
            // A status write brings no reconcile of its own: come back once it landed, for retention's clock.
            return StepResult.RequeueAfterDelay(AfterWrite);
        }
        foreach (var older in siblings.Where(o => Supersession.CanBeSuperseded(o.Status?.Phase) && Supersession.Supersedes(context.Build, o)))
        {
            await NudgeAsync(context, older, cancellationToken);
        }
        return StepResult.Continue();
    }

    private async Task SupersedeAsync(ReconcileContext context, ImageBuild newer, CancellationToken cancellationToken)
    {
        var newerName = $"{newer.Metadata.NamespaceProperty}/{newer.Metadata.Name}";
        var jobs = (await teardown.DeleteJobsAsync(context.Build, cancellationToken)).Count;
        await teardown.DeleteOwnedTokenSecretAsync(context.Build, cancellationToken);
        Log.Superseded(logger, context.Namespace, context.Name, newerName, jobs);

        var status = context.Status;
        var wasBuilding = status.Phase == Phases.Building;
        var message = $"Superseded by ImageBuild {newerName}, a newer request for {context.Build.Spec.Source.Repo} ({status.Ref}) of the same application: "
            + (wasBuilding ? "its build Job was stopped, " : "it never built, ") + "its token Secret deleted, and nobody is notified.";
        context.MoveTo(Phases.Superseded, Reasons.Superseded, message);
        status.SupersededBy = newerName;
        status.CompletionTime = context.Now.UtcDateTime;
        status.NextAttemptTime = null;
        status.QueuePosition = null;
        status.CleanedUp = true;
        if (status.Conditions?.Any(c => c.Type == ConditionTypes.Building) == true)
        {
            context.SetCondition(ConditionTypes.Building, "False", Reasons.Superseded, message);
        }
        context.Event(Reasons.Superseded, message);
    }

    private async Task NudgeAsync(ReconcileContext context, ImageBuild older, CancellationToken cancellationToken)
    {
        var value = $"{context.Namespace}/{context.Name}";
        if (older.Metadata.Annotations?.TryGetValue(Annotations.SupersededBy, out var current) == true && current == value)
        {
            return;
        }
        var patch = new { metadata = new { annotations = new Dictionary<string, string> { [Annotations.SupersededBy] = value } } };
        try
        {
            await patcher.MergePatchAsync(older.Metadata.NamespaceProperty, older.Metadata.Name, patch, cancellationToken);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            // Deleted meanwhile: nothing to supersede.
        }
    }
}
