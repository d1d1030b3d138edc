using ImageBuilder.Operator.Controllers;

namespace ImageBuilder.Operator.Metrics;

/// <summary>Times every reconcile and counts the failed ones, around whichever reconciler is registered.</summary>
public sealed class MeteredReconciler<TEntity>(IReconciler<TEntity> inner, OperatorMetrics metrics, TimeProvider time) : IReconciler<TEntity>
{
    public async Task<ReconcileResult> ReconcileAsync(ObjectKey key, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        var failed = true;
        try
        {
            var result = await inner.ReconcileAsync(key, cancellationToken);
            failed = !result.Succeeded;
            return result;
        }
        finally
        {
            metrics.ReconcileFinished(time.GetElapsedTime(started), failed);
        }
    }
}
