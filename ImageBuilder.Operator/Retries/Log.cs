namespace ImageBuilder.Operator.Retries;

/// <summary>Log lines of the retry scheduler and the retry listener.</summary>
/// <remarks>Event ids 4200–4299. Each folder has its own range, listed in LogEventIdTests, which fails on a duplicate id or an id outside the range.</remarks>
internal static partial class Log
{
    [LoggerMessage(4240, LogLevel.Information, "Retry {Attempt} of {Namespace}/{Name} waits {Tier} in {Queue} (asked {Delay})")]
    public static partial void RetryScheduled(ILogger logger, int attempt, string @namespace, string name, TimeSpan tier, string queue, TimeSpan delay);

    [LoggerMessage(4241, LogLevel.Information, "Retry {Attempt} of {Namespace}/{Name} released")]
    public static partial void RetryReleased(ILogger logger, int attempt, string @namespace, string name);

    [LoggerMessage(4242, LogLevel.Information, "Retry {Attempt} of {Namespace}/{Name} dropped: {Reason}")]
    public static partial void RetryDropped(ILogger logger, int attempt, string @namespace, string name, string reason);

    [LoggerMessage(4243, LogLevel.Warning, "Message {MessageId} on the fail queue is not a retry release; dropped: {Reason}")]
    public static partial void RetryMessageInvalid(ILogger logger, string messageId, string reason);
}
