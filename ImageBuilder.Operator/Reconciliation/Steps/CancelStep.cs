using ImageBuilder.Operator.Api;
using ImageBuilder.Operator.Controllers.Client;
using k8s;

namespace ImageBuilder.Operator.Reconciliation.Steps;

/// <summary>
/// Cancels a build that has not finished when it carries <see cref="Annotations.Cancel"/>: deletes its Job and token
/// Secret, phase Cancelled, an Event naming who set the annotation and why. Nobody is notified: whoever cancels
/// knows, and the container manager must not deploy nor Kusanali report a build that was stopped on purpose. Runs
/// before everything else and stops the reconcile for a cancelled build, so no later step (notify, retry) ever acts
/// on it. A finished build is left as it is. Sets: Ready, Building.
/// </summary>
public sealed class CancelStep(BuildTeardown teardown, IObjectReader<ImageBuild> liveBuilds) : IReconcileStep
{
    private const int MaxReasonLength = 256;

    public async Task<StepResult> RunAsync(ReconcileContext context, CancellationToken cancellationToken)
    {
        var status = context.Status;
        if (status.Phase == Phases.Cancelled)
        {
            return StepResult.Done();
        }
        if (context.Build.Metadata.Annotations?.TryGetValue(Annotations.Cancel, out var value) != true
            || status.Phase is Phases.Succeeded or Phases.Failed or Phases.Superseded)
        {
            return StepResult.Continue();
        }
        var jobs = await teardown.DeleteJobsAsync(context.Build, cancellationToken);
        await teardown.DeleteOwnedTokenSecretAsync(context.Build, cancellationToken);

        var by = SetBy(await WithManagedFieldsAsync(context.Build, cancellationToken));
        var message = $"Cancelled by {by} ({Annotations.Cancel}: {Reason(value)})"
            + (jobs.Count > 0 ? $"; Job {string.Join(", ", jobs)} deleted." : ".");
        status.Phase = Phases.Cancelled;
        status.CompletionTime = context.Now.UtcDateTime;
        status.NextAttemptTime = null;
        status.QueuePosition = null;
        status.QueuedSince = null;
        // The token Secret is gone and no notification is due: nothing is left for the cleanup step.
        status.CleanedUp = true;
        if (status.Conditions?.Any(c => c.Type == ConditionTypes.Building && c.Status == "True") == true)
        {
            context.SetCondition(ConditionTypes.Building, "False", Reasons.Cancelled, message);
        }
        context.SetCondition(ConditionTypes.Ready, "False", Reasons.Cancelled, message);
        context.Event(Reasons.Cancelled, message);
        return StepResult.Done();
    }

    /// <summary>
    /// The build with its managedFields. The reconcile's copy comes from the informer's cache, which drops them
    /// (<see cref="Controllers.Client.CacheTransforms.Metadata{T}"/>): "who cancelled" is only in the apiserver's copy, so
    /// it is read live, once per cancel (a build deleted meanwhile keeps the cached copy: "a client").
    /// </summary>
    private async Task<ImageBuild> WithManagedFieldsAsync(ImageBuild build, CancellationToken cancellationToken)
    {
        if (build.Metadata.ManagedFields is { Count: > 0 })
        {
            return build;
        }
        return await liveBuilds.GetAsync(build.Metadata.NamespaceProperty, build.Metadata.Name, cancellationToken) ?? build;
    }

    /// <summary>The annotation's value as shown to people: one line, bounded, "no reason given" when empty.</summary>
    public static string Reason(string? value)
    {
        var text = new string((value ?? "").Select(c => char.IsControl(c) ? ' ' : c).ToArray()).Trim();
        if (text.Length == 0)
        {
            return "no reason given";
        }
        return text.Length > MaxReasonLength ? text[..MaxReasonLength] + "…" : text;
    }

    /// <summary>
    /// The field manager that last wrote the annotation (<c>kubectl-annotate</c>, the platform's client name, …), from
    /// managedFields: the apiserver records it on every write, so "who" needs no audit log. "a client" when unknown.
    /// </summary>
    public static string SetBy(ImageBuild build)
    {
        ArgumentNullException.ThrowIfNull(build);
        var field = $"\"f:{Annotations.Cancel}\"";
        var entry = build.Metadata.ManagedFields?
            .Where(m => m.FieldsV1 is not null && KubernetesJson.Serialize(m.FieldsV1).Contains(field, StringComparison.Ordinal))
            .OrderByDescending(m => m.Time)
            .FirstOrDefault();
        return entry?.Manager is { Length: > 0 } manager ? manager : "a client";
    }
}
