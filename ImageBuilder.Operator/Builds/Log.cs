namespace ImageBuilder.Operator.Builds;

/// <summary>Source-generated log messages of the Builds folder. None carries a credential.</summary>
/// <remarks>Event ids 3100–3199. Each folder has its own range, listed in LogEventIdTests, which fails on a duplicate id or an id outside the range.</remarks>
internal static partial class Log
{
    [LoggerMessage(EventId = 3101, Level = LogLevel.Warning, Message = "Registry {Registry} is unreachable: {Error}")]
    public static partial void RegistryUnreachable(ILogger logger, string registry, string error);
}
