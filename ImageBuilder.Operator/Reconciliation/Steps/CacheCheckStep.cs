using ImageBuilder.Operator.Api;
using ImageBuilder.Operator.Builds;

namespace ImageBuilder.Operator.Reconciliation.Steps;

/// <summary>
/// Names the image for the resolved commit and asks the registry whether it is already there:
/// if so the build succeeds with the existing digest, without a Job. Sets: no condition.
/// </summary>
public sealed class CacheCheckStep(ImageNamer namer, IRegistryClient registry, BuildOutcomes outcomes) : IReconcileStep
{
    public async Task<StepResult> RunAsync(ReconcileContext context, CancellationToken cancellationToken)
    {
        if (!BuildLifecycle.NeedsJob(context) || context.Status.Commit is not { } commit)
        {
            return StepResult.Continue();
        }
        var image = namer.For(context.Build, commit);
        context.Status.Image = image.Reference;

        var lookup = await registry.GetDigestAsync(image.Repository, image.Tag, cancellationToken);
        if (lookup.Error is { } error)
        {
            var failure = new BuildFailure { Fault = Faults.Service, Reason = Reasons.RegistryUnavailable, Message = error };
            return await outcomes.FailAsync(context, failure, cancellationToken);
        }
        if (lookup.Digest is { } digest)
        {
            BuildOutcomes.Succeed(context, digest, Reasons.CacheHit, $"{image.Reference} is already in the registry ({digest}); no build was needed.");
        }
        return StepResult.Continue();
    }
}
