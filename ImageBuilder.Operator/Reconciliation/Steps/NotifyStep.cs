using System.Globalization;
using ImageBuilder.Operator.Api;

namespace ImageBuilder.Operator.Reconciliation.Steps;

/// <summary>
/// Sends the terminal BuildResponse (container manager on success, Kusanali on failure) and
/// records it only once the broker confirmed, so a crash in between re-sends it with the same
/// message id. Sets: no condition; <c>status.notification</c>.
/// </summary>
public sealed class NotifyStep(IBuildNotifier notifier, ILogger<NotifyStep> logger) : IReconcileStep
{
    public async Task<StepResult> RunAsync(ReconcileContext context, CancellationToken cancellationToken)
    {
        if (!context.IsTerminal || context.Status.Notification is not null)
        {
            return StepResult.Continue();
        }
        var response = Response(context);
        var messageId = string.Create(CultureInfo.InvariantCulture, $"{context.Build.Metadata.Uid}-{context.Attempt}");
        try
        {
            var queue = await notifier.NotifyAsync(response, messageId, cancellationToken);
            context.Status.Notification = new NotificationStatus { Queue = queue, MessageId = messageId, ConfirmedTime = context.Now.UtcDateTime };
            context.Event(Reasons.Notified, $"BuildResponse ({response.Status}) confirmed on {queue}.");
            return StepResult.Continue();
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            Log.NotifyFailed(logger, context.Namespace, context.Name, e.GetType().Name, e.Message);
            return StepResult.Failed($"notification not confirmed: {e.Message}");
        }
    }

    public static BuildResponse Response(ReconcileContext context)
    {
        var build = context.Build;
        var status = context.Status;
        var failed = status.Phase == Phases.Failed;
        var ready = status.Conditions?.FirstOrDefault(c => c.Type == ConditionTypes.Ready);
        return new BuildResponse
        {
            ApplicationId = build.Spec.ApplicationId ?? "",
            UserId = build.Spec.UserId,
            Repo = build.Spec.Source.Repo,
            Status = failed ? BuildResponse.StatusFailed : BuildResponse.StatusSuccess,
            ImageId = failed ? "" : status.Digest ?? "",
            ImageName = status.Image ?? "",
            BuildCommit = status.Commit ?? "",
            IsError = failed,
            Fault = failed ? status.LastFailure?.Fault ?? Faults.Service : "",
            Message = failed ? ready?.Message ?? status.LastFailure?.Message ?? "" : "",
            BuildOutput = status.LastFailure?.LogTail is { } tail && failed ? tail : "",
            Attempts = context.Attempt,
            ImageBuild = $"{context.Namespace}/{context.Name}",
        };
    }
}
