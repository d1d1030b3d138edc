namespace ImageBuilder.Operator.RabbitMq;

/// <summary>Log lines of the broker connection, the publisher and the queue consumers. None carries a token or a broker password.</summary>
/// <remarks>Event ids 4000–4099. Each folder has its own range, listed in LogEventIdTests, which fails on a duplicate id or an id outside the range.</remarks>
internal static partial class Log
{
    [LoggerMessage(4000, LogLevel.Information, "Connected to RabbitMQ at {Endpoint}; queues declared")]
    public static partial void Connected(ILogger logger, string endpoint);

    [LoggerMessage(4001, LogLevel.Warning, "RabbitMQ at {Endpoint} unreachable (attempt {Attempt}), next try in {Delay}: {Reason}")]
    public static partial void BrokerUnreachable(ILogger logger, string endpoint, int attempt, TimeSpan delay, string reason);

    [LoggerMessage(4002, LogLevel.Warning, "Connection to RabbitMQ at {Endpoint} lost: {Reason}; recovering automatically")]
    public static partial void ConnectionLost(ILogger logger, string endpoint, string reason);

    [LoggerMessage(4003, LogLevel.Information, "Connection to RabbitMQ at {Endpoint} recovered")]
    public static partial void ConnectionRecovered(ILogger logger, string endpoint);

    [LoggerMessage(4004, LogLevel.Warning, "Queue {Queue} exists with other arguments ({Difference}); using it as it is")]
    public static partial void QueueMismatchUsingExisting(ILogger logger, string queue, string difference);

    [LoggerMessage(4010, LogLevel.Information, "Consuming {Queue} (prefetch {Prefetch})")]
    public static partial void Consuming(ILogger logger, string queue, int prefetch);

    [LoggerMessage(4014, LogLevel.Warning, "The broker ended the consumer on {Queue}")]
    public static partial void ConsumerLost(ILogger logger, string queue);

    [LoggerMessage(4015, LogLevel.Warning, "Consuming {Queue} failed: {Reason}")]
    public static partial void ConsumerFailed(ILogger logger, string queue, string reason);

    [LoggerMessage(4016, LogLevel.Information, "Subscribing to {Queue} again in {Delay}")]
    public static partial void Resubscribing(ILogger logger, string queue, TimeSpan delay);

    [LoggerMessage(4011, LogLevel.Warning, "Message {MessageId} from {Queue} goes back to the queue in {Delay}: {Reason}")]
    public static partial void Requeueing(ILogger logger, string messageId, string queue, TimeSpan delay, string reason);

    [LoggerMessage(4012, LogLevel.Error, "Handling message {MessageId} from {Queue} failed unexpectedly; it goes back to the queue in {Delay}")]
    public static partial void HandlerFailed(ILogger logger, Exception exception, string messageId, string queue, TimeSpan delay);

    [LoggerMessage(4013, LogLevel.Warning, "Could not settle message {MessageId} on {Queue} (the channel closed); the broker redelivers it")]
    public static partial void SettleFailed(ILogger logger, string messageId, string queue, Exception exception);

    [LoggerMessage(4030, LogLevel.Information, "Published {MessageId} to {Queue}, confirmed")]
    public static partial void Published(ILogger logger, string messageId, string queue);
}
