namespace ImageBuilder.Operator.Reconciliation;

/// <summary>
/// Runs the reconcile steps in order on one context until one stops. A step that throws (anything but
/// this reconcile's own cancellation) does not escape as an exception, which would leave the ImageBuild
/// without a word: <see cref="ReconcileErrors"/> records it on a fresh copy of the status instead.
/// </summary>
public sealed class StepRunner(IEnumerable<IReconcileStep> steps, ReconcileErrors errors, ILogger<StepRunner> logger)
{
    private readonly IReadOnlyList<IReconcileStep> _steps = [.. steps];

    /// <summary>The context whose status is to be written, and what the reconcile loop does next.</summary>
    public async Task<(ReconcileContext Context, StepResult Result)> RunAsync(ReconcileContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var result = StepResult.Continue();
        foreach (var step in _steps)
        {
            try
            {
                result = await step.RunAsync(context, cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                var name = StepName(step);
                Log.StepThrew(logger, context.Namespace, context.Name, name, e);
                // The token is kept only to remove it from the message.
                var token = context.Token;
                var fresh = new ReconcileContext(context.Build, ImageBuildStore.CopyStatus(context.Build.Status), context.Now);
                return (fresh, await errors.RecordAsync(fresh, name, e, token, cancellationToken));
            }
            if (result.Stop)
            {
                break;
            }
        }
        ReconcileErrors.Cleared(context);
        return (context, result);
    }

    private static string StepName(IReconcileStep step)
    {
        var name = step.GetType().Name;
        return name.EndsWith("Step", StringComparison.Ordinal) ? name[..^4] : name;
    }
}
