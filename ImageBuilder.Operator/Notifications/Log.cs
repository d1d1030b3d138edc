namespace ImageBuilder.Operator.Notifications;

/// <summary>Log lines of the notifiers.</summary>
/// <remarks>Event ids 4300–4399. Each folder has its own range, listed in LogEventIdTests, which fails on a duplicate id or an id outside the range.</remarks>
internal static partial class Log
{
    [LoggerMessage(4350, LogLevel.Information, "Messaging is disabled; notification {MessageId} ({Status}) for {ImageBuild} is only logged")]
    public static partial void NotificationSkipped(ILogger logger, string messageId, string status, string imageBuild);
}
