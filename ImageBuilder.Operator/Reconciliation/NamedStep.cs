namespace ImageBuilder.Operator.Reconciliation;

/// <summary>
/// A step whose call the reconciler writes out, for a step that takes or gives more than the context (ResolveSource
/// gives the resolved source, EnsureJob takes it). <paramref name="Name"/> is the step's name in messages and in
/// <see cref="BuildLifecycle.Transitions"/>.
/// </summary>
public sealed record NamedStep(string Name, Func<ReconcileContext, CancellationToken, Task<StepResult>> Run) : IReconcileStep
{
    public Task<StepResult> RunAsync(ReconcileContext context, CancellationToken cancellationToken) => Run(context, cancellationToken);
}
