using ImageBuilder.Operator.Api;

namespace ImageBuilder.Operator.Sources;

/// <summary>Classifies a failed <c>git ls-remote</c> from its stderr: the remote's answer is the user's problem, no answer is ours.</summary>
public static class GitFaults
{
    private static readonly string[] NotFound =
    [
        "repository not found", "does not appear to be a git repository", "not found", "returned error: 404",
        "access denied or repository not exported", "no such file or directory",
    ];

    private static readonly string[] AuthFailed =
    [
        "authentication failed", "could not read username", "could not read password", "terminal prompts disabled",
        "returned error: 401", "returned error: 403", "permission denied",
    ];

    public static BuildFailure Classify(string url, string standardError)
    {
        ArgumentNullException.ThrowIfNull(standardError);
        var error = standardError.ToLowerInvariant();
        if (AuthFailed.Any(error.Contains))
        {
            return User(SourceFailureReasons.TokenRefused, $"The git server refused access to {url}: the token is missing, invalid or lacks access.");
        }
        if (NotFound.Any(error.Contains))
        {
            return User(SourceFailureReasons.RepositoryNotFound, $"Repository {url} was not found, or the token cannot see it.");
        }
        return new BuildFailure
        {
            Fault = Faults.Service,
            Reason = SourceFailureReasons.GitUnavailable,
            Message = $"The git server at {url} could not be reached or failed: {FirstLine(standardError)}",
        };
    }

    public static BuildFailure TimedOut(string url, TimeSpan timeout) => new()
    {
        Fault = Faults.Service,
        Reason = SourceFailureReasons.GitUnavailable,
        Message = $"The git server at {url} did not answer within {timeout.TotalSeconds:0.#} s; the build will be retried.",
    };

    private static BuildFailure User(string reason, string message) => new() { Fault = Faults.User, Reason = reason, Message = message };

    private static string FirstLine(string text)
    {
        var line = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault() ?? "no error output";
        return line.Length > 200 ? line[..200] : line;
    }
}
