namespace ImageBuilder.Operator.Reconciliation;

/// <summary>
/// Runs the reconcile steps in order on one context until one stops, then writes Ready (<see cref="ReadySummary"/>).
/// A step that throws (anything but this reconcile's own cancellation) does not escape as an exception, which would
/// leave the ImageBuild without a word: <see cref="ReconcileErrors"/> records it on the status as it was before that step.
/// </summary>
public sealed class StepRunner(ReconcileErrors errors, ILogger<StepRunner> logger)
{
    /// <summary>The name the error path moves phases by (<see cref="BuildLifecycle.Transitions"/>).</summary>
    public const string ErrorPath = nameof(ReconcileErrors);

    /// <summary>The context whose status is to be written, and what the reconcile loop does next.</summary>
    public async Task<(ReconcileContext Context, StepResult Result)> RunAsync(ReconcileContext context, IReadOnlyList<IReconcileStep> steps, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(steps);
        var result = StepResult.Continue();
        foreach (var step in steps)
        {
            // What the earlier steps decided stands (e.g. RetryStep starting the next attempt); only the
            // throwing step's half-made changes are dropped. Steps are idempotent, so it runs again whole.
            var before = ImageBuildStore.CopyStatus(context.Status);
            var (events, ready) = (context.Events.Count, context.Ready);
            var name = StepName(step);
            context.Step = name;
            try
            {
                result = await step.RunAsync(context, cancellationToken);
                if (context.PhaseBypassed)
                {
                    throw new InvalidOperationException($"Step {name} set phase {context.Status.Phase} without ReconcileContext.MoveTo, past BuildLifecycle.Transitions.");
                }
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                Log.StepThrew(logger, context.Namespace, context.Name, name, e);
                var fresh = new ReconcileContext(context.Build, before, context.Now) { Step = ErrorPath, Ready = ready };
                fresh.Events.AddRange(context.Events.Take(events));
                result = await errors.RecordAsync(fresh, name, e, cancellationToken);
                ReadySummary.Apply(fresh);
                return (fresh, result);
            }
            if (result.Stop)
            {
                break;
            }
        }
        ReconcileErrors.Cleared(context);
        ReadySummary.Apply(context);
        return (context, result);
    }

    /// <summary>A step's name in messages and in <see cref="BuildLifecycle.Transitions"/>: its type name without "Step".</summary>
    public static string StepName(IReconcileStep step) => step is NamedStep named ? named.Name : StepName(step?.GetType()!);

    public static string StepName(Type stepType)
    {
        ArgumentNullException.ThrowIfNull(stepType);
        var name = stepType.Name;
        return name.EndsWith("Step", StringComparison.Ordinal) ? name[..^4] : name;
    }
}
