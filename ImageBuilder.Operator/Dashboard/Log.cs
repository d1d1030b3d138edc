namespace ImageBuilder.Operator.Dashboard;

/// <summary>Source-generated log messages of the dashboard. None carries a credential.</summary>
/// <remarks>Event ids 7000–7099. Each folder has its own range, listed in LogEventIdTests, which fails on a duplicate id or an id outside the range.</remarks>
internal static partial class Log
{
    [LoggerMessage(EventId = 7001, Level = LogLevel.Information, Message = "Build dashboard enabled at {Path}")]
    public static partial void DashboardEnabled(ILogger logger, string path);

    [LoggerMessage(EventId = 7002, Level = LogLevel.Warning, Message = "The dashboard could not read the registry {Registry}: {Error}")]
    public static partial void RegistryReadFailed(ILogger logger, string registry, string error);

    [LoggerMessage(EventId = 7003, Level = LogLevel.Warning, Message = "The dashboard could not read the Events of {Build}: {Error}")]
    public static partial void EventsReadFailed(ILogger logger, string build, string error);
}
