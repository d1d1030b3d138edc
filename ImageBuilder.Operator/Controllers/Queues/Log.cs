namespace ImageBuilder.Operator.Controllers.Queues;

/// <remarks>Event ids 1100–1199. Each folder has its own range, listed in LogEventIdTests, which fails on a duplicate id or an id outside the range.</remarks>
internal static partial class Log
{
    [LoggerMessage(EventId = 1100, Level = LogLevel.Warning, Message = "Reconcile of {Key} threw; retrying with backoff")]
    public static partial void ReconcileThrew(ILogger logger, ObjectKey key, Exception exception);

    [LoggerMessage(EventId = 1101, Level = LogLevel.Information, Message = "Reconcile of {Key} failed ({Error}); retry {Requeues} with backoff")]
    public static partial void ReconcileFailed(ILogger logger, ObjectKey key, string error, int requeues);

    [LoggerMessage(EventId = 1102, Level = LogLevel.Information, Message = "Reconcile of {Key} was cancelled: leadership lost or shutdown timed out")]
    public static partial void ReconcileAborted(ILogger logger, ObjectKey key);
}
