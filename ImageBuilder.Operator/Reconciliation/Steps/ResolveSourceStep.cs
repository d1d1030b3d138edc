using ImageBuilder.Operator.Api;
using ImageBuilder.Operator.Sources;

namespace ImageBuilder.Operator.Reconciliation.Steps;

/// <summary>
/// Before each attempt's Job: checks access with the user's token and resolves the ref to a
/// commit. Later attempts build the commit the first one resolved, so a retry never builds a
/// different revision. Sets: SourceResolved, Ready (on failure).
/// </summary>
public sealed class ResolveSourceStep(ISourceResolver resolver, TokenReader tokens, BuildOutcomes outcomes) : IReconcileStep
{
    public async Task<StepResult> RunAsync(ReconcileContext context, CancellationToken cancellationToken)
    {
        if (!NeedsJob(context))
        {
            return StepResult.Continue();
        }
        var (token, tokenFailure) = await tokens.ReadAsync(context.Build, cancellationToken);
        if (tokenFailure is not null)
        {
            return await FailAsync(context, tokenFailure, cancellationToken);
        }
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

    /// <summary>True when the current attempt has no Job yet: only then is the source needed.</summary>
    public static bool NeedsJob(ReconcileContext context) =>
        !context.IsTerminal && context.Status.Phase != Phases.Retrying
        && context.Status.Job != JobNames.For(context.Build, context.Attempt);

    private async Task<StepResult> FailAsync(ReconcileContext context, BuildFailure failure, CancellationToken cancellationToken)
    {
        context.SetCondition(ConditionTypes.SourceResolved, "False", failure.Reason, failure.Message);
        return await outcomes.FailAsync(context, failure, cancellationToken);
    }
}
