using System.Net;
using ImageBuilder.GitHubServer;
using ImageBuilder.Testing.Git;

namespace ImageBuilder.Operator.Tests.Integration.Sources;

/// <summary>The test server answers like GitHub where the operator depends on it: auth, media types, headers, git over HTTP.</summary>
public sealed class GitHubTestServerTests : IClassFixture<GitHubServerFixture>, IDisposable
{
    private const string Token = "srv_token";
    private readonly GitHubTestServer _server;
    private readonly HttpClient _http = new();

    public GitHubTestServerTests(GitHubServerFixture fixture) => _server = fixture.Server;

    public void Dispose() => _http.Dispose();

    [Theory]
    [InlineData("token srv_unknown", HttpStatusCode.Unauthorized, "Bad credentials")]
    [InlineData(null, HttpStatusCode.NotFound, "Not Found")]
    [InlineData("Bearer srv_token", HttpStatusCode.OK, "\"default_branch\":\"main\"")]
    [InlineData("token srv_token", HttpStatusCode.OK, "\"private\":true")]
    public async Task GetRepository_Authorization_AnswersLikeGitHub(string? authorization, HttpStatusCode status, string body)
    {
        var repo = await CreateAsync();

        using var response = await GetAsync($"repos/{repo}", authorization);

        Assert.Equal(status, response.StatusCode);
        Assert.Contains(body, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal("4999", response.Headers.GetValues("X-RateLimit-Remaining").Single());
    }

    [Fact]
    public async Task GetCommit_ShaMediaType_ReturnsBareSha()
    {
        var repo = await CreateAsync();
        var head = await GitHubTestServer.RevParseAsync(_server.Get(repo), "refs/heads/main");

        using var response = await GetAsync($"repos/{repo}/commits/{head![..7]}", "token " + Token, "application/vnd.github.sha");

        Assert.Equal(head, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task RateLimitedFault_AnswersForbiddenWithNoRequestsRemaining()
    {
        var repo = await CreateAsync();
        _server.InjectFault(repo, FaultKind.RateLimited);

        using var response = await GetAsync($"repos/{repo}", "token " + Token);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("0", response.Headers.GetValues("X-RateLimit-Remaining").Single());
    }

    [Fact]
    public async Task SmartHttp_GitCloneWithToken_ChecksOutTheFiles()
    {
        var repo = await CreateAsync();
        var target = Path.Combine(_server.DataDirectory, "clone-" + Guid.NewGuid().ToString("N"));
        var environment = GitCli.BaseEnvironment();
        environment["GIT_TERMINAL_PROMPT"] = "0";
        environment["GIT_CONFIG_COUNT"] = "1";
        environment["GIT_CONFIG_KEY_0"] = "http.extraHeader";
        environment["GIT_CONFIG_VALUE_0"] = "Authorization: Bearer " + Token;

        await GitCli.RunAsync(null, ["clone", "--quiet", new Uri(_server.BaseUrl, repo + ".git").AbsoluteUri, target], environment: environment);

        Assert.Equal("echo hi\n", await File.ReadAllTextAsync(Path.Combine(target, "app.sh")));
    }

    [Fact]
    public async Task SampleRepository_SeededTwice_HasTheSameCommitAndResolvesWithDemoToken()
    {
        var first = await GitHubTestServer.RevParseAsync(await SampleRepository.CreateAsync(_server), "refs/heads/main");
        var second = await GitHubTestServer.RevParseAsync(await SampleRepository.CreateAsync(_server), "refs/heads/main");
        using var services = SourcesServices.Build(_server.BaseUrl);

        var resolved = await services.Resolver().ResolveAsync(new ImageBuilder.Operator.Api.SourceSpec { Repo = SampleRepository.FullName }, SampleRepository.Token, CancellationToken.None);

        Assert.Equal(first, second);
        Assert.Equal(first, resolved.Commit);
        Assert.StartsWith("FROM 127.0.0.1:5000/base/busybox:latest", SampleRepository.Files["Dockerfile"], StringComparison.Ordinal);
    }

    private async Task<string> CreateAsync()
    {
        var repo = GitHubServerFixture.UniqueRepository("srv");
        await _server.CreateRepositoryAsync(repo, new Dictionary<string, string> { ["app.sh"] = "echo hi\n" }, Token);
        return repo;
    }

    private async Task<HttpResponseMessage> GetAsync(string path, string? authorization, string? accept = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(_server.ApiUrl, path));
        if (authorization is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
        }
        if (accept is not null)
        {
            request.Headers.TryAddWithoutValidation("Accept", accept);
        }
        return await _http.SendAsync(request);
    }
}
