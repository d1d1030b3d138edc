namespace ImageBuilder.Operator.Sources;

/// <summary>Log lines of source resolution. None carries a token: messages are built from repo names, refs and status codes only.</summary>
/// <remarks>Event ids 3000–3099. Each folder has its own range, listed in LogEventIdTests, which fails on a duplicate id or an id outside the range.</remarks>
internal static partial class Log
{
    [LoggerMessage(EventId = 3001, Level = LogLevel.Debug, Message = "Resolving {Connector} source {Repo} ({RefType})")]
    public static partial void Resolving(ILogger logger, string connector, string repo, string refType);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Information, Message = "Resolved {Repo} to commit {Commit}")]
    public static partial void Resolved(ILogger logger, string repo, string? commit);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Warning, Message = "Could not resolve {Repo}: {Fault} fault {Reason}: {FailureMessage}")]
    public static partial void ResolveFailed(ILogger logger, string repo, string fault, string reason, string failureMessage);

    [LoggerMessage(EventId = 3004, Level = LogLevel.Debug, Message = "GitHub request for {Repo} failed with status {StatusCode}")]
    public static partial void GitHubRequestFailed(ILogger logger, GitHubRepositoryName repo, int statusCode);

    [LoggerMessage(EventId = 3005, Level = LogLevel.Debug, Message = "GitHub request for {Repo} failed without a response")]
    public static partial void GitHubUnreachable(ILogger logger, GitHubRepositoryName repo, Exception exception);

    [LoggerMessage(EventId = 3006, Level = LogLevel.Debug, Message = "git ls-remote {Url} exited with {ExitCode}")]
    public static partial void GitLsRemoteFailed(ILogger logger, string url, int exitCode);

    [LoggerMessage(EventId = 3007, Level = LogLevel.Warning, Message = "git ls-remote {Url} timed out after {Timeout}")]
    public static partial void GitLsRemoteTimedOut(ILogger logger, string url, TimeSpan timeout);

    [LoggerMessage(EventId = 3008, Level = LogLevel.Information, Message = "git URL {Url} refused before any connection: {Why}")]
    public static partial void GitUrlRefused(ILogger logger, string url, string why);
}
