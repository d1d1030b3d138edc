using ImageBuilder.Operator.Api;
using ImageBuilder.Operator.Options;
using ImageBuilder.Operator.Retries;
using Microsoft.Extensions.Options;

namespace ImageBuilder.Operator.Reconciliation;

/// <summary>
/// The two ways an attempt ends, shared by every step that can end one: success, or a failure that
/// is retried (service fault within the limit) or final (user fault, or the limit reached).
/// </summary>
public sealed class BuildOutcomes(IRetryScheduler scheduler, IOptions<RetryOptions> retryOptions)
{
    private readonly RetryOptions _retry = retryOptions.Value;

    /// <summary>Phase Succeeded (Ready=True) with the image digest.</summary>
    public static void Succeed(ReconcileContext context, string digest, string reason, string message)
    {
        ArgumentNullException.ThrowIfNull(context);
        var status = context.Status;
        context.MoveTo(Phases.Succeeded, reason, message);
        status.Digest = digest;
        status.CompletionTime = context.Now.UtcDateTime;
        status.NextAttemptTime = null;
        context.Event(reason, message);
    }

    /// <summary>
    /// How a build that failed for good is reported, to a person (Ready) and to Kusanali (the BuildResponse's message):
    /// a failure that was retried says it gave up after so many attempts; one that is never retried is told as it is.
    /// Computed from the status, so a notification sent in a later reconcile says the same.
    /// </summary>
    public FinalFailure Final(BuildFailure failure, int attempts)
    {
        ArgumentNullException.ThrowIfNull(failure);
        return Retryable(failure)
            ? new FinalFailure(Reasons.RetriesExhausted, $"Gave up after {attempts} attempts: {failure.Message}")
            : new FinalFailure(failure.Reason, failure.Message);
    }

    private bool Retryable(BuildFailure failure) => failure.Fault == Faults.Service || _retry.RetryUserFaults;

    /// <summary>Records the failure and decides: retry after a delay, or fail for good.</summary>
    public async Task<StepResult> FailAsync(ReconcileContext context, BuildFailure failure, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(failure);
        var status = context.Status;
        status.LastFailure = failure with { Attempt = context.Attempt };
        var limit = context.Build.Spec.MaxRetries ?? _retry.MaxRetries;
        if (!Retryable(failure) || status.Retries >= limit)
        {
            var (reason, message) = Final(failure, context.Attempt);
            context.MoveTo(Phases.Failed, reason, message);
            status.CompletionTime = context.Now.UtcDateTime;
            status.NextAttemptTime = null;
            context.Event(reason, message, warning: true);
            return StepResult.Continue();
        }

        var next = context.Attempt + 1;
        var delay = _retry.DelayFor(status.Retries + 1);
        var text = $"Attempt {context.Attempt} failed ({failure.Reason}): {failure.Message} Attempt {next} starts in {delay.TotalSeconds:0}s.";
        context.MoveTo(Phases.Retrying, Reasons.RetryScheduled, text);
        status.NextAttemptTime = (context.Now + delay).UtcDateTime;
        context.Event(Reasons.RetryScheduled, text, warning: true);
        if (status.ScheduledAttempt != next)
        {
            await scheduler.ScheduleAsync(context.Build, next, delay, status.LastFailure, cancellationToken);
            status.ScheduledAttempt = next;
        }
        return StepResult.RequeueAfterDelay(delay);
    }
}
