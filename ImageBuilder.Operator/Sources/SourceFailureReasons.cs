namespace ImageBuilder.Operator.Sources;

/// <summary>Stable reasons of <see cref="SourceResolution.Failure"/>.</summary>
public static class SourceFailureReasons
{
    /// <summary>User: the token is invalid, expired or lacks access.</summary>
    public const string TokenRefused = "TokenRefused";

    /// <summary>User: the repository does not exist or the token cannot see it.</summary>
    public const string RepositoryNotFound = "RepositoryNotFound";

    /// <summary>User: the branch, tag, release or commit does not exist.</summary>
    public const string RefNotFound = "RefNotFound";

    /// <summary>User: the request names no valid repository, URL, ref or connector.</summary>
    public const string InvalidSource = "InvalidSource";

    /// <summary>Service: GitHub answered 5xx, timed out or could not be reached.</summary>
    public const string GitHubUnavailable = "GitHubUnavailable";

    /// <summary>Service: GitHub's rate limit is exhausted for now.</summary>
    public const string GitHubRateLimited = "GitHubRateLimited";

    /// <summary>Service: a git remote timed out or could not be reached.</summary>
    public const string GitUnavailable = "GitUnavailable";
}
