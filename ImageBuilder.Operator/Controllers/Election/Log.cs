namespace ImageBuilder.Operator.Controllers.Election;

/// <remarks>Event ids 1200–1299. Each folder has its own range, listed in LogEventIdTests, which fails on a duplicate id or an id outside the range.</remarks>
internal static partial class Log
{
    [LoggerMessage(EventId = 1200, Level = LogLevel.Information, Message = "Lease {Namespace}/{Lease} is held by {Leader} (this replica: {Identity})")]
    public static partial void NewLeader(ILogger logger, string @namespace, string lease, string leader, string identity);

    [LoggerMessage(EventId = 1201, Level = LogLevel.Information, Message = "Started leading on lease {Namespace}/{Lease} as {Identity}")]
    public static partial void StartedLeading(ILogger logger, string @namespace, string lease, string identity);

    [LoggerMessage(EventId = 1202, Level = LogLevel.Warning, Message = "Stopped leading on lease {Namespace}/{Lease} as {Identity}; lease lost, reconciling stops now")]
    public static partial void StoppedLeading(ILogger logger, string @namespace, string lease, string identity);

    [LoggerMessage(EventId = 1208, Level = LogLevel.Information, Message = "Stepped down on lease {Namespace}/{Lease} as {Identity}: shutting down")]
    public static partial void SteppedDown(ILogger logger, string @namespace, string lease, string identity);

    [LoggerMessage(EventId = 1203, Level = LogLevel.Debug, Message = "Leader election reported an error")]
    public static partial void ElectionError(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 1204, Level = LogLevel.Warning, Message = "Leader election failed; campaigning again")]
    public static partial void ElectionFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 1205, Level = LogLevel.Information, Message = "Released lease {Namespace}/{Lease} held by {Identity}")]
    public static partial void Released(ILogger logger, string @namespace, string lease, string identity);

    [LoggerMessage(EventId = 1206, Level = LogLevel.Warning, Message = "Could not release the lease; it expires on its own")]
    public static partial void ReleaseFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 1207, Level = LogLevel.Error, Message = "The leader's work failed; ending this leadership term")]
    public static partial void WorkFailed(ILogger logger, Exception exception);
}
