using ImageBuilder.Operator.Requests;

namespace ImageBuilder.Operator.Bridge;

/// <summary>Log lines of the queue bridge. None carries a token.</summary>
/// <remarks>Event ids 4100–4199. Each folder has its own range, listed in LogEventIdTests, which fails on a duplicate id or an id outside the range.</remarks>
internal static partial class Log
{
    [LoggerMessage(4120, LogLevel.Information, "Build request {MessageId} became ImageBuild {Namespace}/{Name} ({Request})")]
    public static partial void BuildCreated(ILogger logger, string messageId, string @namespace, string name, BuildRequest request);

    [LoggerMessage(4121, LogLevel.Information, "Build request {MessageId} is already ImageBuild {Namespace}/{Name}; acknowledged")]
    public static partial void BuildAlreadyExists(ILogger logger, string messageId, string @namespace, string name);

    [LoggerMessage(4122, LogLevel.Warning, "Build request {MessageId} refused: {Reason}")]
    public static partial void RequestRefused(ILogger logger, string messageId, string reason);
}
