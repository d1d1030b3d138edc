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

    /// <summary>Sets Ready=True, phase Succeeded and the image digest.</summary>
    public static void Succeed(ReconcileContext context, string digest, string reason, string message)
    {
        var status = context.Status;
        status.Digest = digest;
        status.Phase = Phases.Succeeded;
        status.CompletionTime = context.Now.UtcDateTime;
        status.NextAttemptTime = null;
        context.SetCondition(ConditionTypes.Ready, "True", reason, message);
        context.Event(reason, message);
    }

    /// <summary>Records the failure and decides: retry after a delay, or fail for good.</summary>
    public async Task<StepResult> FailAsync(ReconcileContext context, BuildFailure failure, CancellationToken cancellationToken)
    {
        var status = context.Status;
        status.LastFailure = failure with { Attempt = context.Attempt };
        var limit = context.Build.Spec.MaxRetries ?? _retry.MaxRetries;
        var retryable = failure.Fault == Faults.Service || _retry.RetryUserFaults;

        if (!retryable || status.Retries >= limit)
        {
            var message = retryable
                ? $"Gave up after {context.Attempt} attempts: {failure.Message}"
                : failure.Message;
            status.Phase = Phases.Failed;
            status.CompletionTime = context.Now.UtcDateTime;
            status.NextAttemptTime = null;
            var reason = retryable ? Reasons.RetriesExhausted : failure.Reason;
            context.SetCondition(ConditionTypes.Ready, "False", reason, message);
            context.Event(reason, message, warning: true);
            return StepResult.Continue();
        }

        var next = context.Attempt + 1;
        var delay = _retry.DelayFor(status.Retries + 1);
        status.Phase = Phases.Retrying;
        status.NextAttemptTime = (context.Now + delay).UtcDateTime;
        var text = $"Attempt {context.Attempt} failed ({failure.Reason}): {failure.Message} Attempt {next} starts in {delay.TotalSeconds:0}s.";
        context.SetCondition(ConditionTypes.Ready, "False", Reasons.RetryScheduled, text);
        context.Event(Reasons.RetryScheduled, text, warning: true);
        if (status.ScheduledAttempt != next)
        {
            await scheduler.ScheduleAsync(context.Build, next, delay, status.LastFailure, cancellationToken);
            status.ScheduledAttempt = next;
        }
        return StepResult.RequeueAfterDelay(delay);
    }
}
