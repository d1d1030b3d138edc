using System.Text;
using ImageBuilder.Operator.Api;
using ImageBuilder.Operator.Options;
using ImageBuilder.Operator.Requests;
using Microsoft.Extensions.Options;

namespace ImageBuilder.Operator.Sources;

/// <summary>
/// Resolves sources on any git server with <c>git ls-remote</c>. It sees only advertised refs, so a full commit
/// SHA is taken as given (the fetch in the build checks it) and a short one must be a branch or tag tip.
/// </summary>
public sealed class GitConnector : ISourceConnector
{
    private readonly TimeSpan _timeout;
    private readonly ILogger<GitConnector> _logger;

    public GitConnector(IOptions<GitHubOptions> options, ILogger<GitConnector> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _timeout = options.Value.GitTimeout;
        _logger = logger;
    }

    public string Name => Connectors.Git;

    public async Task<SourceResolution> ResolveAsync(SourceSpec source, string? token, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(source);
        var (url, invalid) = GitUrls.Parse(source.Repo);
        if (url is null)
        {
            return SourceResolution.Failed(invalid!);
        }
        if (source.Type == RefTypes.Release)
        {
            return SourceResolution.UserFault(SourceFailureReasons.InvalidSource, "Releases exist only on GitHub; build the release's tag with type 'tag' instead.");
        }
        if (SourceRefs.Validate(source) is { } badRef)
        {
            return SourceResolution.Failed(badRef);
        }
        var display = url.AbsoluteUri;
        var result = await GitCommand.RunAsync(["ls-remote", "--symref", "--", display], Environment(token), _timeout, cancellationToken);
        if (result.TimedOut)
        {
            Log.GitLsRemoteTimedOut(_logger, display, _timeout);
            return SourceResolution.Failed(GitFaults.TimedOut(display, _timeout));
        }
        if (!result.Succeeded)
        {
            Log.GitLsRemoteFailed(_logger, display, result.ExitCode);
            return SourceResolution.Failed(GitFaults.Classify(display, Redact(result.StandardError, token)));
        }
        var remote = GitLsRemoteOutput.Parse(result.StandardOutput);
        var (commit, description) = Pick(remote, source);
        return commit is null
            ? SourceResolution.UserFault(SourceFailureReasons.RefNotFound, $"The {description} was not found in {display}.")
            : SourceResolution.Resolved(commit, archiveUrl: null, display, remote.DefaultBranch);
    }

    private static (string? Commit, string Description) Pick(GitLsRemoteOutput remote, SourceSpec source)
    {
        if (source.Type == RefTypes.Tag)
        {
            return (remote.Tag(source.Tag!), $"tag '{source.Tag}'");
        }
        if (source.Type == RefTypes.Commit && !RefNames.MeansLatest(source.Commit))
        {
            var sha = source.Commit!.Trim().ToLowerInvariant();
            return RefNames.IsFullCommitSha(sha)
                ? (sha, $"commit '{sha}'")
                : (remote.ExpandShortSha(sha), $"commit '{sha}' (a short SHA must be a branch or tag tip here; give all 40 characters)");
        }
        var branch = string.IsNullOrWhiteSpace(source.Branch) ? remote.DefaultBranch : source.Branch;
        return branch is null ? (null, "default branch") : (remote.Branch(branch), $"branch '{branch}'");
    }

    // The token rides in an http.extraHeader set through GIT_CONFIG_* variables: never in argv, never in the URL.
    private static Dictionary<string, string> Environment(string? token)
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["GIT_TERMINAL_PROMPT"] = "0",
            ["GIT_ASKPASS"] = "/bin/false",
            ["SSH_ASKPASS"] = "/bin/false",
            ["GIT_ALLOW_PROTOCOL"] = "http:https:git:file",
            ["LC_ALL"] = "C",
            ["GIT_CONFIG_NOSYSTEM"] = "1",
            ["GIT_CONFIG_COUNT"] = "0",
        };
        if (!string.IsNullOrEmpty(token))
        {
            var basic = Convert.ToBase64String(Encoding.UTF8.GetBytes("x-access-token:" + token));
            environment["GIT_CONFIG_COUNT"] = "1";
            environment["GIT_CONFIG_KEY_0"] = "http.extraHeader";
            environment["GIT_CONFIG_VALUE_0"] = "Authorization: Basic " + basic;
        }
        return environment;
    }

    private static string Redact(string text, string? token) =>
        string.IsNullOrEmpty(token) ? text : text.Replace(token, "***", StringComparison.Ordinal);
}
