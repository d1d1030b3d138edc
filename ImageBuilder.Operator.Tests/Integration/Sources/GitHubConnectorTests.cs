using ImageBuilder.GitHubServer;
using ImageBuilder.Operator.Api;
using ImageBuilder.Operator.Sources;
using ImageBuilder.Testing.Git;

namespace ImageBuilder.Operator.Tests.Integration.Sources;

/// <summary>The Octokit-based resolver against the GitHub-API-compatible test server: real HTTP, real git content.</summary>
/// <remarks>
/// The class runs with the test resolver's 10 s GitHub timeout: a 1 s one made resolves on a loaded machine fail as
/// GitHubUnavailable. Only the test of that timeout (a server that never answers) sets a short one, on its own resolver.
/// </remarks>
public sealed class GitHubConnectorTests(GitHubServerFixture fixture) : ConnectorTests(fixture, "ghp_test_token_1")
{
    private static readonly Dictionary<string, string> Files = new() { ["Dockerfile"] = "FROM scratch\n", ["app.sh"] = "echo hi\n" };

    [Fact]
    public async Task Resolve_RepoWithoutBranch_ReturnsDefaultBranchHeadWithArchiveAndCloneUrls()
    {
        var repo = await CreateAsync(defaultBranch: "trunk");
        var head = await Server.AddCommitAsync(repo, new Dictionary<string, string?> { ["app.sh"] = "echo two\n" });

        var result = await ResolveAsync(new SourceSpec { Repo = repo, Type = RefTypes.Repo });

        Assert.True(result.Succeeded, result.Failure?.Message);
        Assert.Equal(head, result.Commit);
        Assert.Equal("trunk", result.DefaultBranch);
        Assert.Equal(new Uri(Server.ApiUrl, $"repos/{repo}/tarball/{head}").AbsoluteUri, result.ArchiveUrl);
        Assert.Equal(new Uri(Server.BaseUrl, repo + ".git").AbsoluteUri, result.CloneUrl);
    }

    [Fact]
    public async Task Resolve_NamedBranchWithSlash_ReturnsThatBranchHead()
    {
        var repo = await CreateAsync();
        await Server.CreateBranchAsync(repo, "feature/x", "heads/main");
        var branchHead = await Server.AddCommitAsync(repo, new Dictionary<string, string?> { ["b.txt"] = "b" }, branch: "feature/x");

        var result = await ResolveAsync(new SourceSpec { Repo = repo, Type = RefTypes.Repo, Branch = "feature/x" });

        Assert.Equal(branchHead, result.Commit);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Resolve_Tag_ReturnsTaggedCommitPeelingAnnotatedTags(bool annotated)
    {
        var repo = await CreateAsync();
        var tagged = await Server.CreateTagAsync(repo, "v1.0.0", message: annotated ? "release 1" : null);
        await AddLaterCommitAsync(repo);

        var result = await ResolveAsync(new SourceSpec { Repo = repo, Type = RefTypes.Tag, Tag = "v1.0.0" });

        Assert.True(result.Succeeded, result.Failure?.Message);
        Assert.Equal(tagged, result.Commit);
    }

    [Fact]
    public async Task Resolve_Release_ReturnsCommitOfTheReleaseTag()
    {
        var (repo, first) = await CreateWithLaterCommitAsync();
        await Server.CreateReleaseAsync(repo, "v2", name: "Second", target: first);

        var result = await ResolveAsync(new SourceSpec { Repo = repo, Type = RefTypes.Release, Release = "v2" });

        Assert.Equal(first, result.Commit);
    }

    [Fact]
    public async Task Resolve_FullAndShortCommitSha_ReturnsTheFullSha()
    {
        var (repo, old) = await CreateWithLaterCommitAsync();

        var full = await ResolveAsync(new SourceSpec { Repo = repo, Type = RefTypes.Commit, Commit = old });
        var shortSha = await ResolveAsync(new SourceSpec { Repo = repo, Type = RefTypes.Commit, Commit = old[..7] });

        Assert.Equal(old, full.Commit);
        Assert.Equal(old, shortSha.Commit);
        Assert.EndsWith("/tarball/" + old, shortSha.ArchiveUrl, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("latest")]
    [InlineData(null)]
    public async Task Resolve_CommitLatest_ReturnsNewestCommitOfBranch(string? commit)
    {
        var repo = await CreateAsync();
        await Server.CreateBranchAsync(repo, "dev", "heads/main");
        var devHead = await Server.AddCommitAsync(repo, new Dictionary<string, string?> { ["dev.txt"] = "dev" }, branch: "dev");

        var onDev = await ResolveAsync(new SourceSpec { Repo = repo, Type = RefTypes.Commit, Commit = commit, Branch = "dev" });
        var onDefault = await ResolveAsync(new SourceSpec { Repo = repo, Type = RefTypes.Commit, Commit = commit });

        Assert.Equal(devHead, onDev.Commit);
        Assert.Equal(await GitHubTestServer.RevParseAsync(Server.Get(repo), "refs/heads/main"), onDefault.Commit);
    }

    [Fact]
    public async Task Resolve_PublicRepositoryWithoutToken_Succeeds()
    {
        var repo = FixtureRepo();
        await Server.CreateRepositoryAsync(repo, Files, token: null, isPrivate: false);

        var result = await Resolver.ResolveAsync(new SourceSpec { Repo = repo }, token: null, CancellationToken.None);

        Assert.True(result.Succeeded, result.Failure?.Message);
    }

    [Fact]
    public async Task Resolve_UnknownToken_IsUserFaultTokenRefusedWithoutTheToken()
    {
        var repo = await CreateAsync();

        var result = await Resolver.ResolveAsync(new SourceSpec { Repo = repo }, "ghp_wrong_secret", CancellationToken.None);

        AssertFailure(result, Faults.User, SourceFailureReasons.TokenRefused);
        Assert.Contains(repo, result.Failure!.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("ghp_wrong_secret", result.Failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Resolve_PrivateRepositoryWithoutAccessOrToken_IsUserFaultRepositoryNotFound()
    {
        var repo = await CreateAsync();
        Server.AddToken("ghp_other_user");

        var otherUser = await Resolver.ResolveAsync(new SourceSpec { Repo = repo }, "ghp_other_user", CancellationToken.None);
        var anonymous = await Resolver.ResolveAsync(new SourceSpec { Repo = repo }, null, CancellationToken.None);

        AssertFailure(otherUser, Faults.User, SourceFailureReasons.RepositoryNotFound);
        AssertFailure(anonymous, Faults.User, SourceFailureReasons.RepositoryNotFound);
    }

    [Fact]
    public async Task Resolve_MissingRepository_IsUserFaultRepositoryNotFound()
    {
        var result = await ResolveAsync(new SourceSpec { Repo = FixtureRepo() });

        AssertFailure(result, Faults.User, SourceFailureReasons.RepositoryNotFound);
    }

    [Theory]
    [InlineData(RefTypes.Repo, "no-such-branch")]
    [InlineData(RefTypes.Tag, "v9.9.9")]
    [InlineData(RefTypes.Release, "v9.9.9")]
    [InlineData(RefTypes.Commit, "deadbeefdeadbeefdeadbeefdeadbeefdeadbeef")]
    public async Task Resolve_MissingRef_IsUserFaultRefNotFoundNamingTheRef(string type, string name)
    {
        var repo = await CreateAsync();
        var spec = new SourceSpec { Repo = repo, Type = type };
        _ = type switch
        {
            RefTypes.Repo => spec.Branch = name,
            RefTypes.Tag => spec.Tag = name,
            RefTypes.Release => spec.Release = name,
            _ => spec.Commit = name,
        };

        var result = await ResolveAsync(spec);

        AssertFailure(result, Faults.User, SourceFailureReasons.RefNotFound);
        Assert.Contains(name, result.Failure!.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(FaultKind.InternalServerError, SourceFailureReasons.GitHubUnavailable)]
    [InlineData(FaultKind.ServiceUnavailable, SourceFailureReasons.GitHubUnavailable)]
    [InlineData(FaultKind.RateLimited, SourceFailureReasons.GitHubRateLimited)]
    public async Task Resolve_GitHubFault_IsServiceFaultAndNextAttemptSucceeds(FaultKind fault, string reason)
    {
        var repo = await CreateAsync();
        Server.InjectFault(repo, fault);

        var failed = await ResolveAsync(new SourceSpec { Repo = repo });
        var retried = await ResolveAsync(new SourceSpec { Repo = repo });

        AssertFailure(failed, Faults.Service, reason);
        Assert.True(retried.Succeeded, retried.Failure?.Message);
    }

    [Fact]
    public async Task Resolve_GitHubNeverAnswers_IsServiceFaultAfterTimeoutAndNextAttemptSucceeds()
    {
        var repo = await CreateAsync();
        Server.InjectFault(repo, FaultKind.Hang);
        using var services = SourcesServices.Build(Server.BaseUrl, timeout: TimeSpan.FromSeconds(1));

        var failed = await services.Resolver().ResolveAsync(new SourceSpec { Repo = repo }, Token, CancellationToken.None);
        var retried = await ResolveAsync(new SourceSpec { Repo = repo });

        AssertFailure(failed, Faults.Service, SourceFailureReasons.GitHubUnavailable);
        Assert.Contains("did not answer in time", failed.Failure!.Message, StringComparison.Ordinal);
        Assert.True(retried.Succeeded, retried.Failure?.Message);
    }

    [Fact]
    public async Task Resolve_FaultWhileResolvingRef_IsServiceFault()
    {
        var repo = await CreateAsync();
        await Server.CreateTagAsync(repo, "v1");
        Server.InjectFault(repo, FaultKind.ServiceUnavailable, pathContains: "/commits/");

        var result = await ResolveAsync(new SourceSpec { Repo = repo, Type = RefTypes.Tag, Tag = "v1" });

        AssertFailure(result, Faults.Service, SourceFailureReasons.GitHubUnavailable);
    }

    [Fact]
    public async Task Resolve_ServerNotListening_IsServiceFault()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        using var services = SourcesServices.Build(new Uri($"http://127.0.0.1:{port}/"));

        var result = await services.Resolver().ResolveAsync(new SourceSpec { Repo = "octo/none" }, Token, CancellationToken.None);

        AssertFailure(result, Faults.Service, SourceFailureReasons.GitHubUnavailable);
    }

    [Theory]
    [InlineData("not-a-repo")]
    [InlineData("../etc/passwd")]
    [InlineData("owner/na me")]
    [InlineData("https://github.com/owner/name")]
    public async Task Resolve_InvalidRepositoryName_IsUserFaultInvalidSource(string repo)
    {
        var result = await ResolveAsync(new SourceSpec { Repo = repo });

        AssertFailure(result, Faults.User, SourceFailureReasons.InvalidSource);
    }

    [Fact]
    public async Task ArchiveUrl_DownloadedWithTokenHeader_HoldsTheTreeAtTheCommitUnderGitHubsPrefix()
    {
        var repo = await CreateAsync();
        var result = await ResolveAsync(new SourceSpec { Repo = repo });
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, result.ArchiveUrl);
        request.Headers.TryAddWithoutValidation("Authorization", "token " + Token);

        using var response = await http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        var entries = await TarballEntriesAsync(await response.Content.ReadAsStreamAsync());

        var prefix = $"{repo.Replace('/', '-')}-{result.Commit![..7]}/";
        Assert.Contains(prefix + "Dockerfile", entries.Keys);
        Assert.Equal("FROM scratch\n", entries[prefix + "Dockerfile"]);
    }

    private static async Task<Dictionary<string, string>> TarballEntriesAsync(Stream gzip)
    {
        await using var unzipped = new System.IO.Compression.GZipStream(gzip, System.IO.Compression.CompressionMode.Decompress);
        await using var reader = new System.Formats.Tar.TarReader(unzipped);
        var entries = new Dictionary<string, string>();
        while (await reader.GetNextEntryAsync() is { } entry)
        {
            if (entry.DataStream is { } data)
            {
                using var text = new StreamReader(data);
                entries[entry.Name] = await text.ReadToEndAsync();
            }
        }
        return entries;
    }

    /// <summary>Also: no commit, and the failure is the first attempt's.</summary>
    protected override void AssertFailure(SourceResolution result, string fault, string reason)
    {
        base.AssertFailure(result, fault, reason);
        Assert.Null(result.Commit);
        Assert.Equal(0, result.Failure!.Attempt);
    }

    private async Task<string> CreateAsync(string defaultBranch = "main")
    {
        var repo = FixtureRepo();
        await Server.CreateRepositoryAsync(repo, Files, Token, defaultBranch);
        return repo;
    }

    /// <summary>A new repository whose main has moved on past its first commit; that first commit, now behind the head.</summary>
    private async Task<(string Repo, string First)> CreateWithLaterCommitAsync()
    {
        var repo = await CreateAsync();
        var first = await GitHubTestServer.RevParseAsync(Server.Get(repo), "refs/heads/main") ?? throw new InvalidOperationException($"{repo} has no main");
        await AddLaterCommitAsync(repo);
        return (repo, first);
    }

    /// <summary>Moves main on by one commit, so that what a test resolves is not simply the head.</summary>
    private Task<string> AddLaterCommitAsync(string repo) => Server.AddCommitAsync(repo, new Dictionary<string, string?> { ["later.txt"] = "later" });

    private static string FixtureRepo() => GitHubServerFixture.UniqueRepository();
}
