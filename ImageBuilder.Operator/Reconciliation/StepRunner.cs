namespace ImageBuilder.Operator.Reconciliation;

/// <summary>
/// Runs the reconcile steps in order on one context until one stops. A step that throws (anything but
/// this reconcile's own cancellation) does not escape as an exception, which would leave the ImageBuild
/// without a word: <see cref="ReconcileErrors"/> records it on the status as it was before that step.
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
            // What the earlier steps decided stands (e.g. RetryStep starting the next attempt); only the
            // throwing step's half-made changes are dropped. Steps are idempotent, so it runs again whole.
            var before = ImageBuildStore.CopyStatus(context.Status);
            var events = context.Events.Count;
            try
            {
                result = await step.RunAsync(context, cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                var name = StepName(step);
                Log.StepThrew(logger, context.Namespace, context.Name, name, e);
                var fresh = new ReconcileContext(context.Build, before, context.Now);
                fresh.Events.AddRange(context.Events.Take(events));
                // The token is passed only to remove it from the message.
                return (fresh, await errors.RecordAsync(fresh, name, e, context.Token, cancellationToken));
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
