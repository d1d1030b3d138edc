using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using ImageBuilder.GitHubServer;

namespace ImageBuilder.Operator.Tests.Integration.EndToEnd;

/// <summary>
/// The README's first command, as a newcomer types it: <c>make run</c> in the checkout, from a registry that
/// holds no sample image, while a release installed like <c>make up</c> consumes the default build queue.
/// <c>make run</c> uses namespace <c>demo</c>, ports 8081 and 8090 and queues <c>demo.*</c>, which no other
/// test uses; it stops its operator and GitHub test server when it ends.
/// </summary>
[Collection(PlatformCollection.Name)]
[Trait("Category", "Newcomer")]
public sealed partial class MakeRunTests(MakeUpLikeRelease release) : IClassFixture<MakeUpLikeRelease>
{
    private const string SampleImage = "18008/hello";
    private const string DemoNamespace = "demo";
    private static readonly TimeSpan MakeRunWithin = TimeSpan.FromMinutes(12);

    [Fact]
    public async Task MakeRun_RegistryWithoutSampleImageAndMakeUpInstalled_BuildsRunsTheImageAndAnswersTheQueuedRequest()
    {
        await DeleteSampleImagesAsync();

        var (exitCode, output) = await MakeAsync(new Dictionary<string, string?>(), "run");

        Assert.True(exitCode == 0, $"make run exited {exitCode}:\n{output}");
        Assert.Contains("no previous sample image in the registry", output, StringComparison.Ordinal);
        // kubectl get ib hello as the build goes on; the last state printed is Succeeded, with the image.
        Assert.True(SucceededLine().IsMatch(output), "no Succeeded line for ImageBuild hello:\n" + output);
        var commit = await release.Platform.KubectlAsync("-n", DemoNamespace, "get", "ib", "hello", "-o", "jsonpath={.status.commit}");
        var digest = await release.Platform.KubectlAsync("-n", DemoNamespace, "get", "ib", "hello", "-o", "jsonpath={.status.digest}");
        Assert.Matches("^[0-9a-f]{40}$", commit);
        Assert.Contains($"{release.Platform.Registry}/{SampleImage}:{commit}  ({digest})", output, StringComparison.Ordinal);
        // The image pulled by that digest and run prints the sample's greeting on a line of its own.
        Assert.Contains(SampleRepository.Output, output.Split('\n').Select(l => l.Trim()));

        // make submit's request on the demo's own build queue, answered by the host operator from the cache.
        var answer = LastJsonObject(output);
        Assert.Equal("success", answer.GetProperty("status").GetString());
        Assert.StartsWith(DemoNamespace + "/ib-", answer.GetProperty("imageBuild").GetString(), StringComparison.Ordinal);
        Assert.Equal($"{release.Platform.Registry}/{SampleImage}:{commit}", answer.GetProperty("imageName").GetString());
        Assert.Equal(digest, answer.GetProperty("imageID").GetString());

        // make up's replicas were consuming their queue all along and took none of the demo's work.
        var installed = output.Split('\n').SingleOrDefault(l => l.StartsWith("also installed (helm releases of the chart", StringComparison.Ordinal));
        Assert.Contains($"{release.Name} in namespace {release.Namespace}", installed ?? "(no such line)", StringComparison.Ordinal);
        Assert.True((await release.Queues.CountsAsync(release.Queues.Build)).Consumers >= OperatorRelease.Replicas);
        Assert.Equal("", (await release.Platform.KubectlAsync("-n", release.Namespace, "get", "ib", "-o", "name")).Trim());
    }

    [Fact]
    public async Task MakeRun_GitHubServerPortTakenByAnotherProcess_FailsNamingTheProcess()
    {
        using var holder = new TcpListener(IPAddress.Loopback, 0);
        holder.Start();
        var port = ((IPEndPoint)holder.LocalEndpoint).Port;

        var (exitCode, output) = await MakeAsync(new Dictionary<string, string?> { ["GITHUB_PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture) }, "run");

        Assert.NotEqual(0, exitCode);
        Assert.Contains($"port {port} (for github-server) is taken by pid {Environment.ProcessId} (", output, StringComparison.Ordinal);
        Assert.DoesNotContain("==> operator on the host", output, StringComparison.Ordinal);
    }

    // Every tag of the sample repository, deleted through the registry API by its manifest's digest; afterwards no tag resolves.
    private async Task DeleteSampleImagesAsync()
    {
        using var http = new HttpClient { BaseAddress = new Uri($"http://{release.Platform.Registry}/v2/{SampleImage}/") };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes($"{release.Platform.RegistryUser}:{release.Platform.RegistryPassword}")));
        foreach (var type in new[] { "application/vnd.docker.distribution.manifest.v2+json", "application/vnd.oci.image.manifest.v1+json",
                     "application/vnd.docker.distribution.manifest.list.v2+json", "application/vnd.oci.image.index.v1+json" })
        {
            http.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue(type));
        }
        var tags = await TagsAsync(http);
        foreach (var tag in tags)
        {
            using var head = await http.SendAsync(new HttpRequestMessage(HttpMethod.Head, "manifests/" + tag));
            if (head.StatusCode == HttpStatusCode.NotFound)
            {
                continue;
            }
            head.EnsureSuccessStatusCode();
            using var deleted = await http.DeleteAsync("manifests/" + head.Headers.GetValues("Docker-Content-Digest").First());
            Assert.True(deleted.StatusCode is HttpStatusCode.Accepted or HttpStatusCode.NotFound, $"DELETE of {SampleImage}:{tag} answered {deleted.StatusCode}");
        }
        foreach (var tag in tags)
        {
            using var head = await http.SendAsync(new HttpRequestMessage(HttpMethod.Head, "manifests/" + tag));
            Assert.Equal(HttpStatusCode.NotFound, head.StatusCode);
        }
    }

    private static async Task<IReadOnlyList<string>> TagsAsync(HttpClient http)
    {
        using var response = await http.GetAsync("tags/list");
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return [];
        }
        response.EnsureSuccessStatusCode();
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return json.RootElement.TryGetProperty("tags", out var tags) && tags.ValueKind == JsonValueKind.Array
            ? tags.EnumerateArray().Select(t => t.GetString()!).ToList()
            : [];
    }

    // `make TARGET` in the checkout, as a user's shell runs it: stdout and stderr together, the exit code.
    // What dotnet test sets for its own MSBuild would steer the build inside make run, so it is left out.
    private async Task<(int ExitCode, string Output)> MakeAsync(IReadOnlyDictionary<string, string?> environment, string target)
    {
        var start = new System.Diagnostics.ProcessStartInfo("make") { WorkingDirectory = release.Platform.RepoRoot };
        start.ArgumentList.Add(target);
        foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("MSBUILD", StringComparison.OrdinalIgnoreCase)
                     || k.StartsWith("VSTEST", StringComparison.OrdinalIgnoreCase) || k == "KEEP").ToList())
        {
            start.Environment.Remove(key);
        }
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }
        using var make = CapturedProcess.Start(start);
        if (!await make.WaitForExitAsync(MakeRunWithin))
        {
            throw new TimeoutException($"make {target} did not finish within {MakeRunWithin}:\n{make.Text()}");
        }
        return (make.ExitCode, make.Text());
    }

    // make submit prints the BuildResponse with jq: the last block from a line "{" to a line "}".
    private static JsonElement LastJsonObject(string output)
    {
        var start = output.LastIndexOf("\n{\n", StringComparison.Ordinal);
        Assert.True(start >= 0, "no BuildResponse in the output:\n" + output);
        var end = output.IndexOf("\n}", start, StringComparison.Ordinal);
        Assert.True(end > start, "the BuildResponse is cut off:\n" + output);
        using var json = JsonDocument.Parse(output[(start + 1)..(end + 2)]);
        return json.RootElement.Clone();
    }

    // NAME REPO REF PHASE RETRIES IMAGE AGE, as kubectl get ib --no-headers prints them.
    [GeneratedRegex(@"^hello\s+demo/hello\s+branch main\s+Succeeded\s+0\s+127\.0\.0\.1:5000/18008/hello:", RegexOptions.Multiline)]
    private static partial Regex SucceededLine();
}
