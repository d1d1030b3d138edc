using System.Net;
using ImageBuilder.Operator.Api;
using Octokit;

namespace ImageBuilder.Operator.Sources;

/// <summary>Classifies what went wrong talking to GitHub as a user or a service fault, in words a user understands.</summary>
public static class GitHubFaults
{
    /// <summary>What was being looked up when the request failed; it decides what a 404 means.</summary>
    public enum Lookup
    {
        Repository,
        Ref,
    }

    /// <summary>Failure for an API error response. <paramref name="refDescription"/> names the ref, e.g. "branch 'main'".</summary>
    public static BuildFailure FromApiException(ApiException exception, GitHubRepositoryName repo, Lookup lookup, string? refDescription)
    {
        ArgumentNullException.ThrowIfNull(exception);
        ArgumentNullException.ThrowIfNull(repo);
        var status = (int)exception.StatusCode;
        if (IsRateLimited(exception))
        {
            return Service(SourceFailureReasons.GitHubRateLimited, $"GitHub's API rate limit is exhausted while resolving {repo}; the build will be retried later.");
        }
        if (status is 401 or 403)
        {
            return User(SourceFailureReasons.TokenRefused, $"GitHub refused the token for {repo}: it is invalid, expired or lacks access to this repository.");
        }
        if (status >= 500 || status == 408)
        {
            return Service(SourceFailureReasons.GitHubUnavailable, $"GitHub answered {status} while resolving {repo}; the build will be retried.");
        }
        if (lookup == Lookup.Repository && status == 404)
        {
            return User(SourceFailureReasons.RepositoryNotFound, $"Repository {repo} was not found on GitHub, or the token cannot see it.");
        }
        if (status is 404 or 422)
        {
            return User(SourceFailureReasons.RefNotFound, $"{Capitalize(refDescription ?? "the ref")} was not found in {repo}.");
        }
        if (status == 409)
        {
            return User(SourceFailureReasons.RefNotFound, $"Repository {repo} is empty: it has no commit to build.");
        }
        return Service(SourceFailureReasons.GitHubUnavailable, $"GitHub answered {status} while resolving {repo}.");
    }

    /// <summary>Failure when no response came back: a timeout or a connection failure.</summary>
    public static BuildFailure Unreachable(GitHubRepositoryName repo, bool timedOut) =>
        Service(SourceFailureReasons.GitHubUnavailable, timedOut
            ? $"GitHub did not answer in time while resolving {repo}; the build will be retried."
            : $"GitHub could not be reached while resolving {repo}; the build will be retried.");

    /// <summary>403 or 429 with no requests left, or Octokit's own rate-limit exceptions.</summary>
    public static bool IsRateLimited(ApiException exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        if (exception is RateLimitExceededException or SecondaryRateLimitExceededException)
        {
            return true;
        }
        var status = exception.StatusCode;
        if (status != HttpStatusCode.Forbidden && status != HttpStatusCode.TooManyRequests)
        {
            return false;
        }
        var headers = exception.HttpResponse?.Headers;
        var remainingZero = headers is not null && headers.Any(h =>
            string.Equals(h.Key, "X-RateLimit-Remaining", StringComparison.OrdinalIgnoreCase) && h.Value.Trim() == "0");
        var retryAfter = headers is not null && headers.Any(h => string.Equals(h.Key, "Retry-After", StringComparison.OrdinalIgnoreCase));
        return remainingZero || retryAfter || status == HttpStatusCode.TooManyRequests;
    }

    private static BuildFailure User(string reason, string message) => new() { Fault = Faults.User, Reason = reason, Message = message };

    private static BuildFailure Service(string reason, string message) => new() { Fault = Faults.Service, Reason = reason, Message = message };

    private static string Capitalize(string text) => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text[1..];
}
