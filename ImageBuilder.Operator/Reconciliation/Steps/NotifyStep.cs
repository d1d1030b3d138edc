using System.Globalization;
using ImageBuilder.Operator.Api;
using ImageBuilder.Operator.Notifications;

namespace ImageBuilder.Operator.Reconciliation.Steps;

/// <summary>
/// Sends the terminal BuildResponse (container manager on success, Kusanali on failure) and
/// records it only once the broker confirmed, so a crash in between re-sends it with the same
/// message id. Sets: no condition; <c>status.notification</c>; a success a newer build beat to the announcement moves to Superseded.
/// </summary>
public sealed class NotifyStep(IBuildNotifier notifier, INotificationOrder order, BuildOutcomes outcomes, ILogger<NotifyStep> logger) : IReconcileStep
{
    public async Task<StepResult> RunAsync(ReconcileContext context, CancellationToken cancellationToken)
    {
        if (!context.IsTerminal || Phases.IsSilent(context.Status.Phase) || context.Status.Notification is not null)
        {
            return StepResult.Continue();
        }
        var response = Response(context, context.Status.LastFailure is { } failure ? outcomes.Final(failure, context.Attempt).Message : null);
        var messageId = string.Create(CultureInfo.InvariantCulture, $"{context.Build.Metadata.Uid}-{context.Attempt}");
        try
        {
            // Only successes reach the container manager, so only they are ordered; a failure tells Kusanali, which
            // deploys nothing. The lock is held through the publish (NotificationOrder says why).
            using var held = context.Status.Phase == Phases.Succeeded && Supersession.ApplicationKey(context.Build) is { } application
                ? await order.LockAsync(application, cancellationToken)
                : null;
            if (held is not null && await order.ClaimAsync(context.Build, cancellationToken) is { } newer)
            {
                NotAnnounced(context, newer);
                Log.NotAnnounced(logger, context.Namespace, context.Name, newer);
                return StepResult.Continue();
            }
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

    /// <summary>Ends a pushed build that a newer announced one made obsolete: Superseded, with the newer one named.</summary>
    private static void NotAnnounced(ReconcileContext context, string newer)
    {
        var status = context.Status;
        var message = $"Pushed {status.Image}, but not announced: ImageBuild {newer} of the same application was requested later and already announced, "
            + "and announcing this older build now would make the container manager deploy an older image over it.";
        context.MoveTo(Phases.Superseded, Reasons.NewerBuildAnnounced, message);
        status.SupersededBy = newer;
        context.Event(Reasons.NewerBuildAnnounced, message);
    }

    /// <summary>The BuildResponse of CONTRACTS.md; <paramref name="failureMessage"/> is the final failure's (<see cref="BuildOutcomes.Final"/>).</summary>
    public static BuildResponse Response(ReconcileContext context, string? failureMessage)
    {
        ArgumentNullException.ThrowIfNull(context);
        var build = context.Build;
        var status = context.Status;
        var failed = status.Phase == Phases.Failed;
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
            Message = failed ? failureMessage ?? "" : "",
            BuildOutput = status.LastFailure?.LogTail is { } tail && failed ? tail : "",
            Attempts = context.Attempt,
            ImageBuild = $"{context.Namespace}/{context.Name}",
        };
    }
}
