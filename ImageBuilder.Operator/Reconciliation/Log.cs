namespace ImageBuilder.Operator.Reconciliation;

/// <remarks>Event ids 2000–2099. Each folder has its own range, listed in LogEventIdTests, which fails on a duplicate id or an id outside the range.</remarks>
internal static partial class Log
{
    [LoggerMessage(2001, LogLevel.Information, "ImageBuild {Namespace}/{Name}: phase {Phase}, attempt {Attempt}")]
    public static partial void StatusWritten(ILogger logger, string @namespace, string name, string phase, int attempt);

    [LoggerMessage(2002, LogLevel.Warning, "ImageBuild {Namespace}/{Name}: notification not confirmed ({ErrorType}: {Error}); retrying")]
    public static partial void NotifyFailed(ILogger logger, string @namespace, string name, string errorType, string error);

    [LoggerMessage(2003, LogLevel.Debug, "Event {Reason} on {Name} not recorded: HTTP {Status}")]
    public static partial void EventFailed(ILogger logger, string name, string reason, int status);

    [LoggerMessage(2004, LogLevel.Warning, "ImageBuild {Namespace}/{Name}: step {Step} threw; recorded on the ImageBuild")]
    public static partial void StepThrew(ILogger logger, string @namespace, string name, string step, Exception exception);

    [LoggerMessage(2005, LogLevel.Information, "ImageBuild {Namespace}/{Name}: superseded by {Newer}; {Jobs} Job(s) deleted")]
    public static partial void Superseded(ILogger logger, string @namespace, string name, string newer, int jobs);

    [LoggerMessage(2006, LogLevel.Information, "ImageBuild {Namespace}/{Name}: not announced, the newer {Newer} of the same application was announced first")]
    public static partial void NotAnnounced(ILogger logger, string @namespace, string name, string newer);

    [LoggerMessage(2007, LogLevel.Information, "ImageBuild {Namespace}/{Name} deleted by retention ({Why})")]
    public static partial void RetentionDeleted(ILogger logger, string @namespace, string name, string why);

    [LoggerMessage(2008, LogLevel.Warning, "ImageBuild {Namespace}/{Name}: spec.retention.{Field} {Value} cannot be read; the operator's setting applies")]
    public static partial void RetentionOverrideInvalid(ILogger logger, string @namespace, string name, string field, string value);
}
