using ImageBuilder.Operator.Api;
using ImageBuilder.Operator.Builds;
using ImageBuilder.Operator.Messaging;

namespace ImageBuilder.Operator.Reconciliation.Steps;

/// <summary>
/// Rejects what the CRD schema cannot express (1.20 has no cross-field rules): the ref its type
/// needs, the repo form of the connector, paths inside the repository. The same rules as the
/// queue bridge's, so kubectl and the queue accept the same builds. A user fault, never retried. Sets: Ready.
/// </summary>
public sealed class ValidateStep(BuildOutcomes outcomes) : IReconcileStep
{
    public async Task<StepResult> RunAsync(ReconcileContext context, CancellationToken cancellationToken)
    {
        if (context.IsTerminal || Validate(context.Build.Spec) is not { Count: > 0 } errors)
        {
            return StepResult.Continue();
        }
        var failure = new BuildFailure { Fault = Faults.User, Reason = Reasons.InvalidSpec, Message = "Invalid ImageBuild: " + string.Join(" ", errors) };
        return await outcomes.FailAsync(context, failure, cancellationToken);
    }

    public static List<string> Validate(ImageBuildSpec spec)
    {
        var source = spec.Source;
        var errors = new List<string?>
        {
            source.Connector == Connectors.Git ? RequestRules.GitUrl(source.Repo) : RequestRules.GitHubRepo(source.Repo),
            source.Type switch
            {
                RefTypes.Tag when string.IsNullOrEmpty(source.Tag) => "Field 'tag' is required when type is tag.",
                RefTypes.Release when string.IsNullOrEmpty(source.Release) => "Field 'release' is required when type is release.",
                RefTypes.Release when source.Connector != Connectors.GitHub => "Type 'release' needs the github connector; use type 'tag'.",
                _ => null,
            },
            string.IsNullOrEmpty(source.Branch) ? null : RequestRules.RefName("branch", source.Branch),
            string.IsNullOrEmpty(source.Tag) ? null : RequestRules.RefName("tag", source.Tag),
            string.IsNullOrEmpty(source.Release) ? null : RequestRules.RefName("release", source.Release),
            BuildPlanValidator.Validate(spec.BuildPlan),
        };
        return [.. errors.OfType<string>()];
    }
}
