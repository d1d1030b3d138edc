using ImageBuilder.Operator.Api;

namespace ImageBuilder.Operator.Notifications;

/// <summary>The notifier when messaging is switched off: nobody listens, so the outcome is only logged.</summary>
public sealed class LoggingBuildNotifier(ILogger<LoggingBuildNotifier> logger) : IBuildNotifier
{
    /// <summary>The pseudo queue recorded in status.notification.</summary>
    public const string QueueName = "(messaging disabled)";

    public Task<string> NotifyAsync(BuildResponse response, string messageId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(response);
        Log.NotificationSkipped(logger, messageId, response.Status, response.ImageBuild);
        return Task.FromResult(QueueName);
    }
}
