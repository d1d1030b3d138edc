namespace ImageBuilder.Operator.Reconciliation;

/// <summary>
/// One step of the ImageBuild reconcile. Steps run in the order <see cref="ImageBuildReconciler"/> lists them, on one
/// <see cref="ReconcileContext"/>; each owns the conditions it sets and moves the phase only through
/// <see cref="ReconcileContext.MoveTo"/>, as <see cref="BuildLifecycle.Transitions"/> allows.
/// </summary>
public interface IReconcileStep
{
    Task<StepResult> RunAsync(ReconcileContext context, CancellationToken cancellationToken);
}
