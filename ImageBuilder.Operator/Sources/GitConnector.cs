using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using ImageBuilder.Operator.Api;
using ImageBuilder.Operator.Options;
using ImageBuilder.Operator.Requests;
using Microsoft.Extensions.Options;

namespace ImageBuilder.Operator.Sources;

/// <summary>
/// Resolves sources on any git server with <c>git ls-remote</c>. It sees only advertised refs, so a full commit
/// SHA is taken as given (the fetch in the build checks it) and a short one must be a branch or tag tip.
/// The URL comes from an end user: <see cref="GitUrlPolicy"/> checks it before git runs, and git is told to
/// reach only what was checked.
/// </summary>
public sealed class GitConnector : ISourceConnector
{
    private readonly TimeSpan _timeout;
    private readonly GitUrlPolicy _policy;
    private readonly Func<IReadOnlyList<string>, IReadOnlyDictionary<string, string>, TimeSpan, CancellationToken, Task<GitCommandResult>> _run;
    private readonly ILogger<GitConnector> _logger;

    public GitConnector(IOptions<GitHubOptions> options, IOptions<SourcesOptions> sources, ILogger<GitConnector> logger)
        : this(options?.Value.GitTimeout ?? throw new ArgumentNullException(nameof(options)),
            new GitUrlPolicy(sources?.Value.Git ?? throw new ArgumentNullException(nameof(sources))), GitCommand.RunAsync, logger)
    {
    }

    /// <summary>For tests: a policy with its own resolver, and a stand-in for the git process that records whether git ran.</summary>
    internal GitConnector(TimeSpan timeout, GitUrlPolicy policy,
        Func<IReadOnlyList<string>, IReadOnlyDictionary<string, string>, TimeSpan, CancellationToken, Task<GitCommandResult>> run, ILogger<GitConnector> logger)
    {
        _timeout = timeout;
        _policy = policy;
        _run = run;
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
        // Checked before git runs, so a refused URL never sees a single packet (no probe of internal services).
        var (addresses, refused) = await _policy.CheckAsync(url, cancellationToken);
        if (refused is not null)
        {
            var redacted = SourceRedaction.Redact(url.AbsoluteUri);
            Log.GitUrlRefused(_logger, redacted, refused.Message);
            return SourceResolution.Failed(refused);
        }
        // The same canonical URL that was checked goes to git and, as the clone URL, to the fetch container.
        var display = url.AbsoluteUri;
        var result = await _run(["ls-remote", "--symref", "--", display], Environment(url, addresses, token), _timeout, cancellationToken);
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
    // Git is held to what the policy checked: only the URL's own protocol, no redirects (git's default follows
    // the first one, to any host, carrying the token header), no user or system config (url.insteadOf could
    // rewrite the host). For http(s) with a host name, curl is pinned to the checked addresses, so a DNS answer
    // that changes between the check and the connect (rebinding) is not used. What remains: git:// has no such
    // pin (git resolves the name again), and the fetch container clones later, in the cluster, resolving the
    // name itself; an allow-list (Sources:Git:AllowedHosts) is the complete answer to both.
    private static Dictionary<string, string> Environment(Uri url, IReadOnlyList<IPAddress> addresses, string? token)
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["GIT_TERMINAL_PROMPT"] = "0",
            ["GIT_ASKPASS"] = "/bin/false",
            ["SSH_ASKPASS"] = "/bin/false",
            ["GIT_ALLOW_PROTOCOL"] = url.Scheme.ToLowerInvariant(),
            ["GIT_PROTOCOL_FROM_USER"] = "0",
            ["LC_ALL"] = "C",
            ["GIT_CONFIG_NOSYSTEM"] = "1",
            ["GIT_CONFIG_GLOBAL"] = "/dev/null",
        };
        var config = new List<(string Key, string Value)>
        {
            ("http.followRedirects", "false"),
            ("protocol.file.allow", url.IsFile ? "always" : "never"),
            ("protocol.ext.allow", "never"),
        };
        if (url.Scheme is "http" or "https" && url.HostNameType == UriHostNameType.Dns && addresses.Count > 0)
        {
            var pinned = string.Join(',', addresses.Select(a => a.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{a}]" : a.ToString()));
            config.Add(("http.curloptResolve", string.Create(CultureInfo.InvariantCulture, $"{url.IdnHost}:{url.Port}:{pinned}")));
        }
        if (!string.IsNullOrEmpty(token))
        {
            var basic = Convert.ToBase64String(Encoding.UTF8.GetBytes("x-access-token:" + token));
            config.Add(("http.extraHeader", "Authorization: Basic " + basic));
        }
        environment["GIT_CONFIG_COUNT"] = config.Count.ToString(CultureInfo.InvariantCulture);
        for (var i = 0; i < config.Count; i++)
        {
            environment[string.Create(CultureInfo.InvariantCulture, $"GIT_CONFIG_KEY_{i}")] = config[i].Key;
            environment[string.Create(CultureInfo.InvariantCulture, $"GIT_CONFIG_VALUE_{i}")] = config[i].Value;
        }
        return environment;
    }

    private static string Redact(string text, string? token) =>
        string.IsNullOrEmpty(token) ? text : text.Replace(token, "***", StringComparison.Ordinal);
}
