using System.Net;
using System.Net.Sockets;
using System.Text;
using ImageBuilder.GitHubServer;
using ImageBuilder.Operator.Api;
using ImageBuilder.Operator.Sources;
using ImageBuilder.Testing.Git;

namespace ImageBuilder.Operator.Tests.Integration.Sources;

/// <summary>
/// The git URL policy with the real git: listeners on loopback addresses prove that a refused URL gets no
/// connection at all, and that the same URL does get one when configuration allows loopback (so the listener
/// would have seen it). Only loopback is ever connected to; private addresses appear in the unit tests, parsed only.
/// </summary>
public sealed class GitUrlRefusalTests : IClassFixture<GitHubServerFixture>
{
    private const string Token = "git_test_token_2";
    private readonly GitHubTestServer _server;

    public GitUrlRefusalTests(GitHubServerFixture fixture) => _server = fixture.Server;

    [Theory]
    [InlineData("127.0.0.1", "http://localhost:{0}/octo/app.git")]
    [InlineData("127.0.0.1", "http://127.0.0.1:{0}/octo/app.git")]
    [InlineData("127.0.0.2", "git://127.0.0.2:{0}/octo/app.git")]
    [InlineData("::1", "http://[::1]:{0}/octo/app.git")]
    public async Task Resolve_LoopbackNotAllowed_RefusedBeforeAnyConnection(string listenOn, string template)
    {
        using var listener = new TcpListener(IPAddress.Parse(listenOn), 0);
        listener.Start();
        var url = string.Format(System.Globalization.CultureInfo.InvariantCulture, template, ((IPEndPoint)listener.LocalEndpoint).Port);
        using var production = SourcesServices.Build(_server.BaseUrl, gitTimeout: TimeSpan.FromSeconds(2), localGit: false);
        using var development = SourcesServices.Build(_server.BaseUrl, gitTimeout: TimeSpan.FromSeconds(2), localGit: true);

        var refused = await production.Resolver().ResolveAsync(new SourceSpec { Connector = Connectors.Git, Repo = url }, Token, CancellationToken.None);

        Assert.Equal((Faults.User, GitUrlPolicy.UrlNotAllowed), (refused.Failure!.Fault, refused.Failure.Reason));
        Assert.Contains("loopback", refused.Failure.Message, StringComparison.Ordinal);
        Assert.False(listener.Pending(), "a refused URL must not be connected to");

        // The control: allowed, git does connect to the same listener (and times out, as it never answers).
        var accepted = listener.AcceptTcpClientAsync();
        var allowed = await development.Resolver().ResolveAsync(new SourceSpec { Connector = Connectors.Git, Repo = url }, Token, CancellationToken.None);
        using var client = await accepted.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.NotEqual(GitUrlPolicy.UrlNotAllowed, allowed.Failure?.Reason);
    }

    [Fact]
    public async Task Resolve_SmartHttpByHostName_ResolvesThroughThePinnedAddresses()
    {
        var repo = GitHubServerFixture.UniqueRepository("pinned");
        await _server.CreateRepositoryAsync(repo, new Dictionary<string, string> { ["Dockerfile"] = "FROM scratch\n" }, Token, "main");
        var url = $"http://localhost:{_server.BaseUrl.Port}/{repo}.git";
        using var services = SourcesServices.Build(_server.BaseUrl, localGit: true);

        var result = await services.Resolver().ResolveAsync(new SourceSpec { Connector = Connectors.Git, Repo = url }, Token, CancellationToken.None);

        Assert.True(result.Succeeded, result.Failure?.Message);
        Assert.Equal(await GitHubTestServer.RevParseAsync(_server.Get(repo), "refs/heads/main"), result.Commit);
        Assert.Equal(url, result.CloneUrl);
    }

    [Fact]
    public async Task Resolve_RemoteRedirects_GitDoesNotFollow()
    {
        // A loopback server that answers every request with a redirect to the test server, where the
        // repository really is: git's default would follow it (with the token header); ours must not.
        var repo = GitHubServerFixture.UniqueRepository("redirected");
        await _server.CreateRepositoryAsync(repo, new Dictionary<string, string> { ["Dockerfile"] = "FROM scratch\n" }, Token, "main");
        using var redirector = new TcpListener(IPAddress.Loopback, 0);
        redirector.Start();
        var requests = 0;
        using var stop = new CancellationTokenSource();
        var serving = Task.Run(async () =>
        {
            // The cancelled accept is the loop's only way out, so awaiting it below proves the redirector ended
            // because the test stopped it and not on a fault of its own. (A loop that checked the token first
            // could also end normally, if the stop came between two requests.)
            while (true)
            {
                using var client = await redirector.AcceptTcpClientAsync(stop.Token);
                Interlocked.Increment(ref requests);
                await using var stream = client.GetStream();
                using var reader = new StreamReader(stream, Encoding.ASCII, leaveOpen: true);
                var path = (await reader.ReadLineAsync(stop.Token))!.Split(' ')[1];
                var target = new Uri(_server.BaseUrl, $"{repo}.git" + path[path.IndexOf("/info/", StringComparison.Ordinal)..]);
                await stream.WriteAsync(Encoding.ASCII.GetBytes($"HTTP/1.1 302 Found\r\nLocation: {target}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"), stop.Token);
            }
        }, stop.Token);
        using var services = SourcesServices.Build(_server.BaseUrl, localGit: true);

        var result = await services.Resolver().ResolveAsync(
            new SourceSpec { Connector = Connectors.Git, Repo = $"http://127.0.0.1:{((IPEndPoint)redirector.LocalEndpoint).Port}/elsewhere.git" }, Token, CancellationToken.None);

        // Followed, the test server would have answered (it refuses this token there: TokenRefused); not
        // followed, the 302 itself is the answer.
        Assert.Equal((Faults.Service, SourceFailureReasons.GitUnavailable), (result.Failure!.Fault, result.Failure.Reason));
        Assert.Contains("302", result.Failure.Message, StringComparison.Ordinal);
        Assert.Equal(1, Volatile.Read(ref requests));
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => serving);
    }
}
