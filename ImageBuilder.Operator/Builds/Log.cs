namespace ImageBuilder.Operator.Builds;

/// <summary>Source-generated log messages of the Builds folder. None carries a credential.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 3001, Level = LogLevel.Warning, Message = "Registry {Registry} is unreachable: {Error}")]
    public static partial void RegistryUnreachable(ILogger logger, string registry, string error);
}
