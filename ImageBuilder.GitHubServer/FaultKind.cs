namespace ImageBuilder.GitHubServer;

/// <summary>What the test server does instead of answering, for fault-injection tests.</summary>
public enum FaultKind
{
    /// <summary>500 Internal Server Error.</summary>
    InternalServerError,

    /// <summary>503 Service Unavailable.</summary>
    ServiceUnavailable,

    /// <summary>403 with <c>X-RateLimit-Remaining: 0</c>, as GitHub answers an exhausted rate limit.</summary>
    RateLimited,

    /// <summary>Never answers until the client gives up (or the server stops).</summary>
    Hang,
}
