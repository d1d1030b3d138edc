namespace ImageBuilder.Operator.Controllers.Hosting;

/// <remarks>Event ids 1300–1399. Each folder has its own range, listed in LogEventIdTests, which fails on a duplicate id or an id outside the range.</remarks>
internal static partial class Log
{
    [LoggerMessage(EventId = 1300, Level = LogLevel.Information, Message = "Caches synced: {Counts}")]
    public static partial void CachesSynced(ILogger logger, string counts);

    [LoggerMessage(EventId = 1301, Level = LogLevel.Information, Message = "Stopping: no new reconciles; in-flight ones get {Timeout} to finish")]
    public static partial void Draining(ILogger logger, TimeSpan timeout);

    [LoggerMessage(EventId = 1302, Level = LogLevel.Warning, Message = "Shutdown timeout passed; cancelling in-flight reconciles")]
    public static partial void DrainTimedOut(ILogger logger);
}
