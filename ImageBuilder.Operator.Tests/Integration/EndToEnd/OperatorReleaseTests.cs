using System.Text.Json;
using ImageBuilder.GitHubServer;
using ImageBuilder.Operator.Tests.Integration.Builds;
using ImageBuilder.Testing.Git;

namespace ImageBuilder.Operator.Tests.Integration.EndToEnd;

/// <summary>
/// End to end, as the platform uses it: the operator installed with Helm (three replicas, leader election)
/// gets BuildRequests on its build queue the way the backend sends them, builds repositories of the GitHub
/// test server in the development cluster and answers on the container-manager and Kusanali queues.
/// </summary>
[Collection(PlatformCollection.Name)]
public sealed class OperatorReleaseTests(OperatorRelease release) : IClassFixture<OperatorRelease>
{
    private const string UserId = "18008";
    private static readonly TimeSpan BuildWithin = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task BuildRequestOnBuildQueue_RepositoryBuilds_ImageRunsAndContainerManagerGetsItsDigest()
    {
        var greeting = "hello from the end-to-end test " + Guid.NewGuid().ToString("N")[..8];
        var (repo, token) = await CreateRepositoryAsync(greeting);
        var applicationId = PlatformFixture.UniqueName("app");

        await release.Queues.PublishLikeBackendAsync(Request(repo, token, applicationId));

        var response = await release.Queues.TakeAsync(release.Queues.ContainerManager, BuildWithin);
        Assert.Equal("success", Text(response, "status"));
        Assert.False(response.GetProperty("isError").GetBoolean());
        Assert.Equal(applicationId, Text(response, "applicationID"));
        var commit = await GitHubTestServer.RevParseAsync(release.GitHub.Get(repo), "refs/heads/main");
        Assert.Equal(commit, Text(response, "buildCommit"));
        var repository = $"{release.Platform.Registry}/{UserId}/{applicationId}";
        Assert.Equal($"{repository}:{commit}", Text(response, "imageName"));
        var digest = Text(response, "imageID");
        Assert.StartsWith("sha256:", digest, StringComparison.Ordinal);
        var name = ImageBuildName(response);
        var columns = await release.KubectlGetFinishedImageBuildAsync(name);
        Assert.Equal(digest, await release.Platform.KubectlAsync("-n", release.Namespace, "get", "ib", name, "-o", "jsonpath={.status.digest}"));
        Assert.Equal("Succeeded", columns["PHASE"]);
        Assert.Equal("0", columns["RETRIES"]);
        Assert.Equal($"{repository}:{commit}", columns["IMAGE"]);
        Assert.Equal(greeting, await PullAndRunAsync($"{repository}@{digest}"));
        await AssertOneLeaderAsync();
    }

    // The git connector runs `git ls-remote` inside the operator's pod: the shipped image must carry git.
    [Fact]
    public async Task GitConnectorRequest_LoopbackGitDaemon_HelmInstalledOperatorBuildsIt()
    {
        var greeting = "hello from git " + Guid.NewGuid().ToString("N")[..8];
        var (repo, token) = await CreateRepositoryAsync(greeting);
        await using var daemon = await GitDaemon.StartAsync(release.GitHub.RepositoriesDirectory);
        var url = daemon.UrlOf(repo).AbsoluteUri;
        var applicationId = PlatformFixture.UniqueName("app");
        var request = Request(url, token, applicationId);
        request["connector"] = "git";

        await release.Queues.PublishLikeBackendAsync(request);

        var response = await TakeOrDescribeAsync(release.Queues.ContainerManager);
        Assert.Equal("success", Text(response, "status"));
        var commit = await GitHubTestServer.RevParseAsync(release.GitHub.Get(repo), "refs/heads/main");
        Assert.Equal(commit, Text(response, "buildCommit"));
        var repository = $"{release.Platform.Registry}/{UserId}/{applicationId}";
        Assert.Equal($"{repository}:{commit}", Text(response, "imageName"));
        var columns = await release.KubectlGetFinishedImageBuildAsync(ImageBuildName(response));
        Assert.Equal(url, columns["REPO"]);
        Assert.Equal("Succeeded", columns["PHASE"]);
        Assert.Equal(greeting, await PullAndRunAsync($"{repository}@{Text(response, "imageID")}"));
    }

    [Fact]
    public async Task GitHubAnswers500ToEveryRequest_AfterMaxRetries_KusanaliGetsOneServiceFault()
    {
        var (repo, token) = await CreateRepositoryAsync("never built");
        release.GitHub.InjectFault(repo, FaultKind.InternalServerError, count: 1000);

        await release.Queues.PublishLikeBackendAsync(Request(repo, token, PlatformFixture.UniqueName("app")));

        var response = await release.Queues.TakeAsync(release.Queues.Kusanali, BuildWithin);
        Assert.Equal("failed", Text(response, "status"));
        Assert.True(response.GetProperty("isError").GetBoolean());
        Assert.Equal("service", Text(response, "fault"));
        Assert.Equal(OperatorRelease.MaxRetries + 1, response.GetProperty("attempts").GetInt32());
        Assert.Equal(0u, (await release.Queues.CountsAsync(release.Queues.Kusanali)).Ready);
        var columns = await release.KubectlGetFinishedImageBuildAsync(ImageBuildName(response));
        Assert.Equal(repo, columns["REPO"]);
        Assert.Equal("Failed", columns["PHASE"]);
        Assert.Equal(OperatorRelease.MaxRetries.ToString(System.Globalization.CultureInfo.InvariantCulture), columns["RETRIES"]);
    }

    // A unique repository and greeting per test: the image is new, so the build really runs (no cache hit).
    private async Task<(string Repo, string Token)> CreateRepositoryAsync(string greeting)
    {
        var repo = GitHubServerFixture.UniqueRepository("e2e");
        var token = "e2e-token-" + Guid.NewGuid().ToString("N");
        var files = new Dictionary<string, string>(SampleRepository.Files, StringComparer.Ordinal)
        {
            ["app.sh"] = $"#!/bin/sh\necho \"{greeting}\"\n",
        };
        await release.GitHub.CreateRepositoryAsync(repo, files, token);
        return (repo, token);
    }

    // docs/contracts.md, the documented flat form.
    private static Dictionary<string, string> Request(string repo, string token, string applicationId) => new()
    {
        ["applicationID"] = applicationId,
        ["token"] = token,
        ["userID"] = UserId,
        ["type"] = "repo",
        ["connector"] = "github",
        ["repo"] = repo,
        ["branch"] = "main",
    };

    // The response, or on time-out what the cluster shows (an ImageBuild without status, the operators' logs).
    private async Task<JsonElement> TakeOrDescribeAsync(string queue)
    {
        try
        {
            return await release.Queues.TakeAsync(queue, BuildWithin);
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException(e.Message + "\n" + await OperatorContainers.DescribeAsync(release.Platform, release.Namespace), e);
        }
    }

    private string ImageBuildName(JsonElement response)
    {
        var parts = Text(response, "imageBuild").Split('/');
        Assert.Equal(release.Namespace, parts[0]);
        return parts[1];
    }

    private async Task<string> PullAndRunAsync(string reference)
    {
        await DockerCli.LoginAsync(release.Platform);
        await DockerCli.RunAsync("pull", "-q", reference);
        try
        {
            return (await DockerCli.RunAsync("run", "--rm", "--network", "none", reference)).Trim();
        }
        finally
        {
            await DockerCli.RunAsync("rmi", reference);
        }
    }

    // The Lease names a current Ready replica, and of the three only that one reports itself the leader.
    private async Task AssertOneLeaderAsync()
    {
        var pods = await release.ReadyPodsAsync();
        Assert.Equal(OperatorRelease.Replicas, pods.Count);
        var holder = await release.LeaseHolderPodAsync();
        Assert.Contains(holder, pods);
        var readyz = await OperatorContainers.ReadyzByPodAsync(release.Namespace);
        var leaders = readyz.Where(r => r.Value.Contains("leader", StringComparison.Ordinal)).Select(r => r.Key);
        Assert.Equal([holder], leaders);
    }

    private static string Text(JsonElement response, string property) => response.GetProperty(property).GetString() ?? "";
}
