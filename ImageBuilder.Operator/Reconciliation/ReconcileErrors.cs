using ImageBuilder.Operator.Api;
using ImageBuilder.Operator.Options;
using ImageBuilder.Operator.Reconciliation.Steps;
using ImageBuilder.Operator.Sources;
using Microsoft.Extensions.Options;

namespace ImageBuilder.Operator.Reconciliation;

/// <summary>
/// Turns an exception thrown by a step (an error no step classified: a missing executable, a bug, an
/// unexpected API answer) into something the user sees on the ImageBuild. Each one sets Ready=False with
/// reason ReconcileError and is retried with the work queue's backoff; after
/// <see cref="ReconcileOptions.MaxConsecutiveErrors"/> in a row the attempt ends as a service fault, which
/// goes through the normal retry (fail queue) and final (Kusanali) path. The count lives in
/// <c>status.reconcileErrors</c>, so an operator restart does not reset the bound.
/// </summary>
public sealed class ReconcileErrors(BuildOutcomes outcomes, IOptions<ReconcileOptions> options)
{
    private const int MaxDetail = 500;
    private readonly ReconcileOptions _options = options.Value;

    /// <summary>
    /// Records <paramref name="error"/> from <paramref name="step"/> on <paramref name="context"/>, whose status
    /// is as it was before that step ran.
    /// </summary>
    public async Task<StepResult> RecordAsync(ReconcileContext context, string step, Exception error, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(error);
        var status = context.Status;
        if (status.Phase is null)
        {
            // A build whose first step throws still gets a phase.
            context.MoveTo(Phases.Pending, Reasons.Pending, AcceptStep.Accepted);
        }
        var count = (status.ReconcileErrors ?? 0) + 1;
        var detail = Describe(error, null);
        var text = $"Reconcile failed in step {step}: {detail}";
        if (context.IsTerminal)
        {
            // Succeeded or Failed stays as it is; only the follow-up (notification, cleanup) is retried.
            status.ReconcileErrors = count;
            if (count == 1)
            {
                context.Event(Reasons.ReconcileError, text, warning: true);
            }
            return count >= _options.MaxConsecutiveErrors ? StepResult.Done() : StepResult.Failed(text);
        }
        if (count < _options.MaxConsecutiveErrors)
        {
            status.ReconcileErrors = count;
            var message = $"{text} (error {count} of {_options.MaxConsecutiveErrors} before attempt {context.Attempt} fails; retrying with backoff).";
            context.ReportReady("False", Reasons.ReconcileError, message);
            if (count == 1)
            {
                context.Event(Reasons.ReconcileError, message, warning: true);
            }
            return StepResult.Failed(text);
        }

        // The attempt's own error budget is spent: the next attempt (if any) starts with a fresh one.
        status.ReconcileErrors = null;
        var failure = new BuildFailure
        {
            Fault = Faults.Service,
            Reason = Reasons.ReconcileError,
            Message = $"{text} ({count} times in a row).",
        };
        var result = await outcomes.FailAsync(context, failure, cancellationToken);
        // Failed for good: come back at once so the notification step reports it (a status write alone
        // does not trigger a reconcile).
        return result.Stop ? result : StepResult.RequeueAfterDelay(TimeSpan.Zero);
    }

    /// <summary>
    /// After a reconcile in which no step threw: the count starts again, and a Ready left at ReconcileError (no step
    /// moved the build in this reconcile) says it recovered.
    /// </summary>
    public static void Cleared(ReconcileContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var status = context.Status;
        if (status.ReconcileErrors is not { } count)
        {
            return;
        }
        status.ReconcileErrors = null;
        var ready = status.Conditions?.FirstOrDefault(c => c.Type == ConditionTypes.Ready);
        if (context.Ready is null && ready?.Reason == Reasons.ReconcileError)
        {
            var message = $"The reconcile succeeded again after {count} failed; phase {status.Phase}.";
            context.ReportReady(context.Status.Phase == Phases.Succeeded ? "True" : "False", Reasons.ReconcileRecovered, message);
            context.Event(Reasons.ReconcileRecovered, message);
        }
    }

    /// <summary>
    /// The exception's type and first line, at most <see cref="MaxDetail"/> characters, with <paramref name="token"/>
    /// and any URL credentials removed: the text goes into a condition, an Event and a Kusanali message. A
    /// <see cref="RedactedException"/> was described so already by the step that held the token.
    /// </summary>
    public static string Describe(Exception error, string? token)
    {
        ArgumentNullException.ThrowIfNull(error);
        if (error is RedactedException)
        {
            return error.Message;
        }
        var line = error.Message.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).FirstOrDefault() ?? "";
        if (!string.IsNullOrEmpty(token))
        {
            line = line.Replace(token, "***", StringComparison.Ordinal);
        }
        line = SourceRedaction.Redact(line);
        var text = $"{error.GetType().Name}: {line}";
        return text.Length > MaxDetail ? text[..MaxDetail] + "…" : text;
    }
}
