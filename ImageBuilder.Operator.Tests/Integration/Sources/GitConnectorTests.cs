using System.Net;
using System.Net.Sockets;
using ImageBuilder.GitHubServer;
using ImageBuilder.Operator.Api;
using ImageBuilder.Operator.Sources;
using ImageBuilder.Testing.Git;

namespace ImageBuilder.Operator.Tests.Integration.Sources;

/// <summary>The git connector (git ls-remote) against real remotes: file://, git daemon and git smart HTTP of the test server.</summary>
/// <remarks>
/// The class runs with the test resolver's 10 s git timeout: a 2 s one made the smart-HTTP test time out on a loaded machine. Only
/// the test of that timeout sets a short one, on its own resolver.
/// </remarks>
public sealed class GitConnectorTests(GitHubServerFixture fixture) : ConnectorTests(fixture, "git_test_token_1")
{
    private static readonly Dictionary<string, string> Files = new() { ["Dockerfile"] = "FROM scratch\n" };

    [Fact]
    public async Task Resolve_FileUrlDefaultBranch_ReturnsHeadWithoutArchive()
    {
        var (repo, url) = await CreateAsync(defaultBranch: "trunk");
        var head = await Server.AddCommitAsync(repo, new Dictionary<string, string?> { ["b"] = "b" });

        var result = await ResolveAsync(new SourceSpec { Connector = Connectors.Git, Repo = url });

        Assert.True(result.Succeeded, result.Failure?.Message);
        Assert.Equal(head, result.Commit);
        Assert.Equal("trunk", result.DefaultBranch);
        Assert.Null(result.ArchiveUrl);
        Assert.Equal(url, result.CloneUrl);
    }

    [Fact]
    public async Task Resolve_FileUrlBranchTagsAndCommits_ReturnsTheirCommits()
    {
        var (repo, url) = await CreateAsync();
        var first = await GitHubTestServer.RevParseAsync(Server.Get(repo), "refs/heads/main");
        await Server.CreateTagAsync(repo, "v1", message: "annotated");
        await Server.CreateTagAsync(repo, "light");
        await Server.CreateBranchAsync(repo, "dev", first!);
        var devHead = await Server.AddCommitAsync(repo, new Dictionary<string, string?> { ["dev"] = "dev" }, branch: "dev");

        Assert.Equal(devHead, (await ResolveAsync(new SourceSpec { Connector = Connectors.Git, Repo = url, Branch = "dev" })).Commit);
        Assert.Equal(first, (await ResolveAsync(new SourceSpec { Connector = Connectors.Git, Repo = url, Type = RefTypes.Tag, Tag = "v1" })).Commit);
        Assert.Equal(first, (await ResolveAsync(new SourceSpec { Connector = Connectors.Git, Repo = url, Type = RefTypes.Tag, Tag = "light" })).Commit);
        Assert.Equal(devHead, (await ResolveAsync(new SourceSpec { Connector = Connectors.Git, Repo = url, Type = RefTypes.Commit, Commit = devHead[..8] })).Commit);
        Assert.Equal(devHead, (await ResolveAsync(new SourceSpec { Connector = Connectors.Git, Repo = url, Type = RefTypes.Commit, Commit = "latest", Branch = "dev" })).Commit);
        Assert.Equal(first, (await ResolveAsync(new SourceSpec { Connector = Connectors.Git, Repo = url, Type = RefTypes.Commit, Commit = first!.ToUpperInvariant() })).Commit);
    }

    [Theory]
    [InlineData(RefTypes.Repo)]
    [InlineData(RefTypes.Tag)]
    [InlineData(RefTypes.Commit)]
    public async Task Resolve_MissingRef_IsUserFaultRefNotFound(string type)
    {
        var (_, url) = await CreateAsync();

        var result = await ResolveAsync(new SourceSpec { Connector = Connectors.Git, Repo = url, Type = type, Branch = "nope", Tag = "nope", Commit = "abcdef1" });

        AssertFailure(result, Faults.User, SourceFailureReasons.RefNotFound);
    }

    [Fact]
    public async Task Resolve_MissingFileRepository_IsUserFaultRepositoryNotFound()
    {
        var url = new Uri(Path.Combine(Server.RepositoriesDirectory, "nobody", "nothing.git")).AbsoluteUri;

        var result = await ResolveAsync(new SourceSpec { Connector = Connectors.Git, Repo = url });

        AssertFailure(result, Faults.User, SourceFailureReasons.RepositoryNotFound);
    }

    [Fact]
    public async Task Resolve_GitDaemon_ResolvesAndMissingRepositoryIsUserFault()
    {
        var (repo, _) = await CreateAsync();
        await using var daemon = await GitDaemon.StartAsync(Server.RepositoriesDirectory);

        var found = await ResolveAsync(new SourceSpec { Connector = Connectors.Git, Repo = daemon.UrlOf(repo).AbsoluteUri });
        var missing = await ResolveAsync(new SourceSpec { Connector = Connectors.Git, Repo = daemon.UrlOf("nobody/nothing").AbsoluteUri });

        Assert.Equal(await GitHubTestServer.RevParseAsync(Server.Get(repo), "refs/heads/main"), found.Commit);
        AssertFailure(missing, Faults.User, SourceFailureReasons.RepositoryNotFound);
    }

    [Fact]
    public async Task Resolve_SmartHttpWithToken_Resolves()
    {
        var (repo, _) = await CreateAsync();
        var url = new Uri(Server.BaseUrl, repo + ".git").AbsoluteUri;

        var result = await Resolver.ResolveAsync(new SourceSpec { Connector = Connectors.Git, Repo = url }, Token, CancellationToken.None);

        Assert.True(result.Succeeded, result.Failure?.Message);
        Assert.Equal(await GitHubTestServer.RevParseAsync(Server.Get(repo), "refs/heads/main"), result.Commit);
    }

    [Fact]
    public async Task Resolve_SmartHttpWithoutOrWithBadToken_IsUserFaultTokenRefused()
    {
        var (repo, _) = await CreateAsync();
        var url = new Uri(Server.BaseUrl, repo + ".git").AbsoluteUri;

        var anonymous = await Resolver.ResolveAsync(new SourceSpec { Connector = Connectors.Git, Repo = url }, null, CancellationToken.None);
        var wrong = await Resolver.ResolveAsync(new SourceSpec { Connector = Connectors.Git, Repo = url }, "git_wrong_secret", CancellationToken.None);

        AssertFailure(anonymous, Faults.User, SourceFailureReasons.TokenRefused);
        AssertFailure(wrong, Faults.User, SourceFailureReasons.TokenRefused);
        Assert.DoesNotContain("git_wrong_secret", wrong.Failure!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Resolve_SmartHttpServerError_IsServiceFault()
    {
        var (repo, _) = await CreateAsync();
        Server.InjectFault(repo, FaultKind.ServiceUnavailable);

        var result = await ResolveAsync(new SourceSpec { Connector = Connectors.Git, Repo = new Uri(Server.BaseUrl, repo + ".git").AbsoluteUri });

        AssertFailure(result, Faults.Service, SourceFailureReasons.GitUnavailable);
    }

    [Fact]
    public async Task Resolve_ConnectionRefused_IsServiceFault()
    {
        var result = await ResolveAsync(new SourceSpec { Connector = Connectors.Git, Repo = $"git://127.0.0.1:{FreePort.Next()}/octo/x.git" });

        AssertFailure(result, Faults.Service, SourceFailureReasons.GitUnavailable);
    }

    [Fact]
    public async Task Resolve_RemoteNeverAnswers_IsServiceFaultAfterTimeout()
    {
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var port = ((IPEndPoint)silent.LocalEndpoint).Port;

        using var services = SourcesServices.Build(Server.BaseUrl, gitTimeout: TimeSpan.FromSeconds(2));

        var result = await services.Resolver().ResolveAsync(new SourceSpec { Connector = Connectors.Git, Repo = $"git://127.0.0.1:{port}/octo/x.git" }, Token, CancellationToken.None);

        AssertFailure(result, Faults.Service, SourceFailureReasons.GitUnavailable);
        Assert.Contains("did not answer within 2 s", result.Failure!.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("https://user:secret@127.0.0.1/octo/x.git")]
    [InlineData("ssh://127.0.0.1/octo/x.git")]
    [InlineData("ext::sh -c touch% /tmp/pwned")]
    [InlineData("--upload-pack=touch /tmp/pwned")]
    [InlineData("/srv/git/x.git")]
    public async Task Resolve_UnsupportedOrCredentialUrl_IsUserFaultInvalidSource(string url)
    {
        var result = await ResolveAsync(new SourceSpec { Connector = Connectors.Git, Repo = url });

        AssertFailure(result, Faults.User, SourceFailureReasons.InvalidSource);
        Assert.DoesNotContain("secret", result.Failure!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Resolve_ReleaseOnGitConnector_IsUserFaultInvalidSource()
    {
        var (_, url) = await CreateAsync();

        var result = await ResolveAsync(new SourceSpec { Connector = Connectors.Git, Repo = url, Type = RefTypes.Release, Release = "v1" });

        AssertFailure(result, Faults.User, SourceFailureReasons.InvalidSource);
    }

    private async Task<(string Repo, string FileUrl)> CreateAsync(string defaultBranch = "main")
    {
        var repo = GitHubServerFixture.UniqueRepository("gitter");
        var created = await Server.CreateRepositoryAsync(repo, Files, Token, defaultBranch);
        return (repo, new Uri(created.GitDirectory).AbsoluteUri);
    }
}
