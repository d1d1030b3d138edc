using ImageBuilder.Operator.Api;
using ImageBuilder.Operator.Options;
using ImageBuilder.Operator.Sources;
using Microsoft.Extensions.Options;

namespace ImageBuilder.Operator.Reconciliation.Steps;

/// <summary>
/// Before each attempt's Job: checks access with the user's token and resolves the ref to a
/// commit. Later attempts build the commit the first one resolved, so a retry never builds a
/// different revision. A token Secret that does not exist yet is waited for (phase Pending, reason
/// TokenSecretMissing) up to <see cref="ReconcileOptions.TokenSecretTimeout"/>. Gives the resolved source (where the Job
/// fetches it) to the reconciler, which hands it to <see cref="EnsureJobStep"/>. Sets: SourceResolved.
/// </summary>
public sealed class ResolveSourceStep(ISourceResolver resolver, TokenReader tokens, BuildOutcomes outcomes, IOptions<ReconcileOptions> options)
{
    private readonly ReconcileOptions _options = options.Value;

    /// <summary>What the reconcile does next, and the source when it resolved (null when not needed, waiting or failed).</summary>
    public async Task<(StepResult Result, SourceResolution? Source)> RunAsync(ReconcileContext context, CancellationToken cancellationToken)
    {
        if (!BuildLifecycle.NeedsJob(context))
        {
            return (StepResult.Continue(), null);
        }
        var (token, missing) = await tokens.ReadAsync(context.Build, cancellationToken);
        if (missing is not null && IsBridgeWriteInFlight(context))
        {
            return (StepResult.RequeueAfterDelay(BridgeSecretPoll), null);
        }
        if (missing is not null)
        {
            return (await WaitForTokenAsync(context, missing, cancellationToken), null);
        }
        context.Status.TokenSecretMissingSince = null;

        var source = context.Build.Spec.Source;
        var pinned = context.Status.Commit is { } commit
            ? new SourceSpec { Connector = source.Connector, Repo = source.Repo, Type = RefTypes.Commit, Commit = commit, TokenSecretRef = source.TokenSecretRef }
            : source;
        var resolution = await ResolveAsync(pinned, token, cancellationToken);
        if (resolution.Failure is { } failure)
        {
            return (await FailAsync(context, failure, cancellationToken), null);
        }
        if (context.Status.Commit != resolution.Commit)
        {
            context.Status.Commit = resolution.Commit;
            context.Event(Reasons.Resolved, $"{context.Status.Ref} of {source.Repo} is commit {resolution.Commit}.");
        }
        context.SetCondition(ConditionTypes.SourceResolved, "True", Reasons.Resolved, $"{context.Status.Ref} resolved to {resolution.Commit}.");
        return (StepResult.Continue(), resolution);
    }

    private async Task<SourceResolution> ResolveAsync(SourceSpec source, string? token, CancellationToken cancellationToken)
    {
        try
        {
            return await resolver.ResolveAsync(source, token, cancellationToken);
        }
        catch (Exception e) when (!string.IsNullOrEmpty(token) && (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested))
        {
            // An error no connector classified (a missing git, an unexpected answer) becomes a condition, an Event and
            // Kusanali's message (StepRunner): only this step holds the token to take out of its text.
            throw new RedactedException(ReconcileErrors.Describe(e, token));
        }
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
        && context.Build.Metadata.Annotations?.TryGetValue(Requests.ImageBuildFactory.RequestedByAnnotation, out var by) == true && by == Requests.ImageBuildFactory.RequestedByBridge
        && context.Build.Metadata.CreationTimestamp is { } created
        && context.Now - new DateTimeOffset(DateTime.SpecifyKind(created, DateTimeKind.Utc)) < BridgeSecretGrace;

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
        context.MoveTo(Phases.Pending, Reasons.TokenSecretMissing, message);
        context.SetCondition(ConditionTypes.SourceResolved, "False", Reasons.TokenSecretMissing, message);
        var left = deadline - context.Now;
        return StepResult.RequeueAfterDelay(left < _options.TokenSecretPollInterval ? left : _options.TokenSecretPollInterval);
    }

    private async Task<StepResult> FailAsync(ReconcileContext context, BuildFailure failure, CancellationToken cancellationToken)
    {
        context.SetCondition(ConditionTypes.SourceResolved, "False", failure.Reason, failure.Message);
        return await outcomes.FailAsync(context, failure, cancellationToken);
    }
}
