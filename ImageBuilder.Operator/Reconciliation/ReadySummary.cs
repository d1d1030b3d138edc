namespace ImageBuilder.Operator.Reconciliation;

/// <summary>
/// Writes the Ready condition, once per reconcile, after the last step (Flux's summarize, at this operator's scale).
/// No step writes Ready: each moves the phase with a reason (<see cref="ReconcileContext.MoveTo"/>) and sets only the
/// conditions it owns (SourceResolved, Building). Ready is the summary a person reads in <c>kubectl get ib</c>: the last
/// thing that happened to the build in this reconcile, or a reconcile error and its recovery; when nothing happened it
/// stays as it was, so a reconcile that changes nothing writes nothing.
/// </summary>
/// <remarks>
/// Flux merges standing conditions by polarity and priority. Here Ready's reasons are those of moves (RetryScheduled,
/// WaitingForBuildSlot, BuildStarted…) whose messages say when and where (the delay, the queue position, the Job), which
/// no standing condition holds; the last move of the reconcile is the one that says where the build is now.
/// </remarks>
public static class ReadySummary
{
    public static void Apply(ReconcileContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Ready is { } ready)
        {
            context.SetCondition(ConditionTypes.Ready, ready.Status, ready.Reason, ready.Message);
        }
    }
}
