namespace ImageBuilder.Operator.Controllers.Client;

/// <remarks>Event ids 1000–1099. Each folder has its own range, listed in LogEventIdTests, which fails on a duplicate id or an id outside the range.</remarks>
internal static partial class Log
{
    [LoggerMessage(EventId = 1000, Level = LogLevel.Debug, Message = "Listed {Count} {Kind} at resourceVersion {ResourceVersion}")]
    public static partial void Listed(ILogger logger, string kind, int count, string resourceVersion);

    [LoggerMessage(EventId = 1001, Level = LogLevel.Information, Message = "Watch of {Kind} from resourceVersion {ResourceVersion} is gone (410); listing again")]
    public static partial void WatchGone(ILogger logger, string kind, string resourceVersion);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Warning, Message = "Watch of {Kind} went silent past its timeout; reconnecting")]
    public static partial void WatchStalled(ILogger logger, string kind);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Warning, Message = "Watch of {Kind} reported an error")]
    public static partial void WatchError(ILogger logger, string kind, Exception exception);

    [LoggerMessage(EventId = 1004, Level = LogLevel.Warning, Message = "List/watch of {Kind} failed ({Failures} in a row); retrying in {Delay}")]
    public static partial void ListWatchFailed(ILogger logger, string kind, int failures, TimeSpan delay, Exception exception);

    [LoggerMessage(EventId = 1005, Level = LogLevel.Error, Message = "An event handler for {Kind} threw")]
    public static partial void HandlerThrew(ILogger logger, string kind, Exception exception);

    [LoggerMessage(EventId = 1010, Level = LogLevel.Error, Message = "The key function of cache index {Index} of {Kind} threw; the object is left out of that index")]
    public static partial void IndexKeyFailed(ILogger logger, string kind, string index, Exception exception);
}
