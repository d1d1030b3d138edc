using System.Net;
using ImageBuilder.Operator.Api;
using ImageBuilder.Operator.Options;
using ImageBuilder.Operator.Sources;
using Microsoft.Extensions.Logging.Abstractions;

namespace ImageBuilder.Operator.Tests.Sources;

/// <summary>
/// The git connector with the git process replaced by a recorder: a refused URL never starts git (so it
/// never sends a packet anywhere), and an accepted one starts git held to the checked URL.
/// </summary>
public sealed class GitConnectorPolicyTests
{
    private const string Head = "3f2c9ab3f2c9ab3f2c9ab3f2c9ab3f2c9ab3f2c9";
    private readonly List<(IReadOnlyList<string> Arguments, IReadOnlyDictionary<string, string> Environment)> _runs = [];

    private GitConnector Connector(GitSourceOptions options) =>
        new(TimeSpan.FromSeconds(5), new GitUrlPolicy(options), (arguments, environment, _, _) =>
        {
            _runs.Add((arguments, environment));
            return Task.FromResult(new GitCommandResult(0, $"ref: refs/heads/main\tHEAD\n{Head}\tHEAD\n{Head}\trefs/heads/main\n", "", TimedOut: false));
        }, NullLogger<GitConnector>.Instance);

    [Theory]
    [InlineData("http://localhost:9/app.git")]
    [InlineData("http://127.0.0.1:9/app.git")]
    [InlineData("http://127.0.0.2:9/app.git")]
    [InlineData("git://[::1]:9/app.git")]
    [InlineData("https://10.0.0.1/app.git")]
    [InlineData("https://172.16.5.4/app.git")]
    [InlineData("https://192.168.0.10/app.git")]
    [InlineData("https://100.64.1.1/app.git")]
    [InlineData("https://[fd00::1]/app.git")]
    [InlineData("http://169.254.169.254/latest/meta-data/")]
    [InlineData("file:///etc/app.git")]
    public async Task Resolve_RefusedUrl_IsUserFaultOnTheBuildAndGitNeverRuns(string url)
    {
        var result = await Connector(new GitSourceOptions()).ResolveAsync(new SourceSpec { Connector = Connectors.Git, Repo = url }, "tok", CancellationToken.None);

        Assert.Equal((Faults.User, GitUrlPolicy.UrlNotAllowed), (result.Failure!.Fault, result.Failure.Reason));
        Assert.Empty(_runs);
    }

    [Fact]
    public async Task Resolve_AllowedName_RunsGitOnTheCheckedUrlPinnedToTheCheckedAddresses()
    {
        var result = await Connector(new GitSourceOptions { AllowLoopback = true })
            .ResolveAsync(new SourceSpec { Connector = Connectors.Git, Repo = "http://LOCALHOST:9/app.git" }, "tok", CancellationToken.None);

        Assert.True(result.Succeeded, result.Failure?.Message);
        Assert.Equal("http://localhost:9/app.git", result.CloneUrl);
        var (arguments, environment) = Assert.Single(_runs);
        Assert.Equal(["ls-remote", "--symref", "--", "http://localhost:9/app.git"], arguments);
        var config = Config(environment);
        Assert.Equal("false", config["http.followRedirects"]);
        Assert.Equal("never", config["protocol.file.allow"]);
        Assert.StartsWith("localhost:9:", config["http.curloptResolve"], StringComparison.Ordinal);
        var pinned = config["http.curloptResolve"]["localhost:9:".Length..].Split(',');
        Assert.All(pinned, a => Assert.True(IPAddress.IsLoopback(IPAddress.Parse(a.Trim('[', ']')))));
        Assert.Equal("http", environment["GIT_ALLOW_PROTOCOL"]);
        Assert.Equal("0", environment["GIT_PROTOCOL_FROM_USER"]);
        Assert.Equal("/dev/null", environment["GIT_CONFIG_GLOBAL"]);
        Assert.DoesNotContain(arguments, a => a.Contains("tok", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Resolve_AllowedFileUrl_AllowsOnlyTheFileProtocol()
    {
        var result = await Connector(new GitSourceOptions { AllowFileUrls = true })
            .ResolveAsync(new SourceSpec { Connector = Connectors.Git, Repo = "file:///srv/git/app.git" }, null, CancellationToken.None);

        Assert.True(result.Succeeded, result.Failure?.Message);
        var (_, environment) = Assert.Single(_runs);
        Assert.Equal("file", environment["GIT_ALLOW_PROTOCOL"]);
        Assert.False(Config(environment).ContainsKey("http.curloptResolve"));
    }

    private static Dictionary<string, string> Config(IReadOnlyDictionary<string, string> environment)
    {
        var count = int.Parse(environment["GIT_CONFIG_COUNT"], System.Globalization.CultureInfo.InvariantCulture);
        return Enumerable.Range(0, count).ToDictionary(i => environment[$"GIT_CONFIG_KEY_{i}"], i => environment[$"GIT_CONFIG_VALUE_{i}"]);
    }
}
