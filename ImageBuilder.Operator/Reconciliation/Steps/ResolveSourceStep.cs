using ImageBuilder.Operator.Api;
using ImageBuilder.Operator.Options;
using ImageBuilder.Operator.Sources;
using Microsoft.Extensions.Options;

namespace ImageBuilder.Operator.Reconciliation.Steps;

/// <summary>
/// Before each attempt's Job: checks access with the user's token and resolves the ref to a
/// commit. Later attempts build the commit the first one resolved, so a retry never builds a
/// different revision. A token Secret that does not exist yet is waited for (phase Pending, reason
/// TokenSecretMissing) up to <see cref="ReconcileOptions.TokenSecretTimeout"/>. Sets: SourceResolved, Ready
/// (on failure or while waiting).
/// </summary>
public sealed class ResolveSourceStep(ISourceResolver resolver, TokenReader tokens, BuildOutcomes outcomes, IOptions<ReconcileOptions> options) : IReconcileStep
{
    private readonly ReconcileOptions _options = options.Value;

    public async Task<StepResult> RunAsync(ReconcileContext context, CancellationToken cancellationToken)
    {
        if (!NeedsJob(context))
        {
            return StepResult.Continue();
        }
        var (token, missing) = await tokens.ReadAsync(context.Build, cancellationToken);
        if (missing is not null && IsBridgeWriteInFlight(context))
        {
            return StepResult.RequeueAfterDelay(BridgeSecretPoll);
        }
        if (missing is not null)
        {
            return await WaitForTokenAsync(context, missing, cancellationToken);
        }
        context.Status.TokenSecretMissingSince = null;
        context.Token = token;

        var source = context.Build.Spec.Source;
        var pinned = context.Status.Commit is { } commit
            ? new SourceSpec { Connector = source.Connector, Repo = source.Repo, Type = RefTypes.Commit, Commit = commit, TokenSecretRef = source.TokenSecretRef }
            : source;
        var resolution = await resolver.ResolveAsync(pinned, token, cancellationToken);
        if (resolution.Failure is { } failure)
        {
            return await FailAsync(context, failure, cancellationToken);
        }

        context.ArchiveUrl = resolution.ArchiveUrl;
        context.CloneUrl = resolution.CloneUrl;
        if (context.Status.Commit != resolution.Commit)
        {
            context.Status.Commit = resolution.Commit;
            context.Event(Reasons.Resolved, $"{context.Status.Ref} of {source.Repo} is commit {resolution.Commit}.");
        }
        context.SetCondition(ConditionTypes.SourceResolved, "True", Reasons.Resolved, $"{context.Status.Ref} resolved to {resolution.Commit}.");
        return StepResult.Continue();
    }

    /// <summary>How long a build the queue bridge made may be seen without its Secret before that counts as missing.</summary>
    internal static readonly TimeSpan BridgeSecretGrace = TimeSpan.FromSeconds(10);

    private static readonly TimeSpan BridgeSecretPoll = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// The bridge writes the ImageBuild first and its token Secret right after (so the Secret can carry its owner
    /// reference from the start); a reconcile can fall between the two. That is no user's mistake: look again in a
    /// moment, without the warning Event and status the real wait shows.
    /// </summary>
    private static bool IsBridgeWriteInFlight(ReconcileContext context) =>
        context.Status.TokenSecretMissingSince is null
        && context.Build.Metadata.Annotations?.TryGetValue(Messaging.ImageBuildFactory.RequestedByAnnotation, out var by) == true && by == Messaging.ImageBuildFactory.RequestedByBridge
        && context.Build.Metadata.CreationTimestamp is { } created
        && context.Now - new DateTimeOffset(DateTime.SpecifyKind(created, DateTimeKind.Utc)) < BridgeSecretGrace;

    /// <summary>True when the current attempt has no Job yet: only then is the source needed.</summary>
    public static bool NeedsJob(ReconcileContext context) =>
        !context.IsTerminal && context.Status.Phase != Phases.Retrying
        && context.Status.Job != JobNames.For(context.Build, context.Attempt);

    // Level-triggered: `kubectl apply -f dir/` and GitOps tools create the Secret after the ImageBuild as
    // often as before. The wait polls (one GET per waiting build per interval) rather than watching Secrets:
    // a Secret informer would hold every Secret of the watched namespaces in the operator's memory and need
    // list/watch on all of them, for an event that matters only during this short window.
    private async Task<StepResult> WaitForTokenAsync(ReconcileContext context, string missing, CancellationToken cancellationToken)
    {
        var status = context.Status;
        var since = status.TokenSecretMissingSince is { } at ? new DateTimeOffset(DateTime.SpecifyKind(at, DateTimeKind.Utc)) : context.Now;
        var deadline = since + _options.TokenSecretTimeout;
        if (context.Now >= deadline)
        {
            status.TokenSecretMissingSince = null;
            var failure = new BuildFailure
            {
                Fault = Faults.User,
                Reason = Reasons.TokenSecretMissing,
                Message = $"{missing} Waited {_options.TokenSecretTimeout} for it.",
            };
            return await FailAsync(context, failure, cancellationToken);
        }
        var message = $"{missing} The build waits for it until {deadline.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC, then fails.";
        if (status.TokenSecretMissingSince is null)
        {
            status.TokenSecretMissingSince = since.UtcDateTime;
            context.Event(Reasons.TokenSecretMissing, message, warning: true);
        }
        status.Phase = Phases.Pending;
        context.SetCondition(ConditionTypes.SourceResolved, "False", Reasons.TokenSecretMissing, message);
        context.SetCondition(ConditionTypes.Ready, "False", Reasons.TokenSecretMissing, message);
        var left = deadline - context.Now;
        return StepResult.RequeueAfterDelay(left < _options.TokenSecretPollInterval ? left : _options.TokenSecretPollInterval);
    }

    private async Task<StepResult> FailAsync(ReconcileContext context, BuildFailure failure, CancellationToken cancellationToken)
    {
        context.SetCondition(ConditionTypes.SourceResolved, "False", failure.Reason, failure.Message);
        return await outcomes.FailAsync(context, failure, cancellationToken);
    }
}
