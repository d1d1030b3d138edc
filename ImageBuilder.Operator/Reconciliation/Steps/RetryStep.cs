using ImageBuilder.Operator.Api;
using ImageBuilder.Operator.Retries;

namespace ImageBuilder.Operator.Reconciliation.Steps;

/// <summary>
/// While Retrying, waits until the scheduler releases the next attempt (the fail queue handed it
/// back, or its time came), then starts it: <c>status.retries</c> counts it. Sets: no condition.
/// </summary>
public sealed class RetryStep(IRetryScheduler scheduler) : IReconcileStep
{
    // With the fail queue, the release arrives as an annotation change that triggers a reconcile;
    // polling is only a safety net for a lost message, so it is slow.
    private static readonly TimeSpan SafetyPoll = TimeSpan.FromSeconds(30);

    public Task<StepResult> RunAsync(ReconcileContext context, CancellationToken cancellationToken)
    {
        var status = context.Status;
        if (status.Phase != Phases.Retrying)
        {
            return Task.FromResult(StepResult.Continue());
        }
        var next = context.Attempt + 1;
        if (!scheduler.IsReleased(context.Build, next, context.Now))
        {
            var due = status.NextAttemptTime is { } at ? new DateTimeOffset(at, TimeSpan.Zero) - context.Now : TimeSpan.Zero;
            return Task.FromResult(StepResult.RequeueAfterDelay(due > TimeSpan.Zero ? due : SafetyPoll));
        }
        status.Retries++;
        context.MoveTo(Phases.Pending, Reasons.RetryStarted, $"Attempt {context.Attempt} starts after: {status.LastFailure?.Message}");
        status.Job = null;
        status.NextAttemptTime = null;
        context.Event(Reasons.RetryStarted, $"Attempt {context.Attempt} starts.");
        return Task.FromResult(StepResult.Continue());
    }
}
