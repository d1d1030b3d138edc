namespace ImageBuilder.Operator.Reconciliation;

/// <summary>One step of the ImageBuild reconcile. Steps run in order on one <see cref="ReconcileContext"/>; each owns the conditions it sets.</summary>
public interface IReconcileStep
{
    Task<StepResult> RunAsync(ReconcileContext context, CancellationToken cancellationToken);
}
