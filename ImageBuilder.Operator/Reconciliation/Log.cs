
namespace ImageBuilder.Operator.Reconciliation;

internal static partial class Log
{
    [LoggerMessage(1001, LogLevel.Information, "ImageBuild {Namespace}/{Name}: phase {Phase}, attempt {Attempt}")]
    public static partial void StatusWritten(ILogger logger, string @namespace, string name, string phase, int attempt);

    [LoggerMessage(1002, LogLevel.Warning, "ImageBuild {Namespace}/{Name}: notification not confirmed ({ErrorType}: {Error}); retrying")]
    public static partial void NotifyFailed(ILogger logger, string @namespace, string name, string errorType, string error);

    [LoggerMessage(1003, LogLevel.Debug, "Event {Reason} on {Name} not recorded: HTTP {Status}")]
    public static partial void EventFailed(ILogger logger, string name, string reason, int status);

    [LoggerMessage(1004, LogLevel.Warning, "ImageBuild {Namespace}/{Name}: step {Step} threw; recorded on the ImageBuild")]
    public static partial void StepThrew(ILogger logger, string @namespace, string name, string step, Exception exception);
}
