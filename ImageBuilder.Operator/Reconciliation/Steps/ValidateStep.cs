using ImageBuilder.Operator.Api;
using ImageBuilder.Operator.Requests;

namespace ImageBuilder.Operator.Reconciliation.Steps;

/// <summary>
/// Rejects what the CRD schema cannot express (1.20 has no cross-field rules): the ref its type
/// needs, the repo form of the connector, paths inside the repository. The same rules as the
/// queue bridge's (one module, Requests/), so kubectl and the queue accept the same builds. A user fault, never retried. Sets: no condition.
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

    /// <summary>The request rules (ImageBuilder.Operator.Requests), the same the queue bridge applies.</summary>
    public static IReadOnlyList<string> Validate(ImageBuildSpec spec) => RequestRules.Validate(spec);
}
