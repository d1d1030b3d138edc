namespace ImageBuilder.Operator.Messaging;

/// <summary>Log lines of the messaging roles. None carries a token or a broker password.</summary>
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

    [LoggerMessage(4020, LogLevel.Information, "Build request {MessageId} became ImageBuild {Namespace}/{Name} ({Request})")]
    public static partial void BuildCreated(ILogger logger, string messageId, string @namespace, string name, BuildRequest request);

    [LoggerMessage(4021, LogLevel.Information, "Build request {MessageId} is already ImageBuild {Namespace}/{Name}; acknowledged")]
    public static partial void BuildAlreadyExists(ILogger logger, string messageId, string @namespace, string name);

    [LoggerMessage(4022, LogLevel.Warning, "Build request {MessageId} refused: {Reason}")]
    public static partial void RequestRefused(ILogger logger, string messageId, string reason);

    [LoggerMessage(4030, LogLevel.Information, "Published {MessageId} to {Queue}, confirmed")]
    public static partial void Published(ILogger logger, string messageId, string queue);

    [LoggerMessage(4040, LogLevel.Information, "Retry {Attempt} of {Namespace}/{Name} waits {Tier} in {Queue} (asked {Delay})")]
    public static partial void RetryScheduled(ILogger logger, int attempt, string @namespace, string name, TimeSpan tier, string queue, TimeSpan delay);

    [LoggerMessage(4041, LogLevel.Information, "Retry {Attempt} of {Namespace}/{Name} released")]
    public static partial void RetryReleased(ILogger logger, int attempt, string @namespace, string name);

    [LoggerMessage(4042, LogLevel.Information, "Retry {Attempt} of {Namespace}/{Name} dropped: {Reason}")]
    public static partial void RetryDropped(ILogger logger, int attempt, string @namespace, string name, string reason);

    [LoggerMessage(4043, LogLevel.Warning, "Message {MessageId} on the fail queue is not a retry release; dropped: {Reason}")]
    public static partial void RetryMessageInvalid(ILogger logger, string messageId, string reason);

    [LoggerMessage(4050, LogLevel.Information, "Messaging is disabled; notification {MessageId} ({Status}) for {ImageBuild} is only logged")]
    public static partial void NotificationSkipped(ILogger logger, string messageId, string status, string imageBuild);
}
