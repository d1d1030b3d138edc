using ImageBuilder.GitHubServer;
using ImageBuilder.Operator.Api;
using ImageBuilder.Testing.Operators;
using k8s;
using Xunit.Abstractions;

namespace ImageBuilder.Operator.Tests.Integration.Evidence;

/// <summary>
/// Faults of the shared services as this test's operator sees them, through a <see cref="TcpProxy"/> of its own: the
/// apiserver going away (watches must recover) and the registry going away (service-fault retries, then success).
/// </summary>
[Collection(PlatformCollection.Name)]
public sealed class FaultTests(PlatformFixture fixture, ITestOutputHelper output)
{
    [Fact]
    public async Task ApiServerRestarted_WatchesAndLeadershipRecover_NewBuildSucceeds()
    {
        var ns = await fixture.CreateNamespaceAsync("ev-restart");
        await using var host = await OperatorHost.StartWithOwnGitHubAsync(fixture, new OperatorHostSettings { Namespace = ns }, output);
        await SampleRepository.CreateAsync(host.GitHub);
        await host.WaitForLeaderAsync(TimeSpan.FromSeconds(60));

        // The real process, by its pid: every watch and the Lease renewal break until it is back.
        await fixture.RestartAsync("kube-apiserver");
        await EvidenceBuilds.CreateAsync(fixture.Kubernetes, ns, "after-restart", SampleRepository.FullName, PlatformFixture.UniqueName("app"), SampleRepository.Token);
        var build = await EvidenceBuilds.WaitForTerminalAsync(fixture.Kubernetes, ns, "after-restart", TimeSpan.FromMinutes(3));

        Assert.Equal(Phases.Succeeded, build.Status!.Phase);
        Assert.Equal("ready (leader)", await host.WaitForLeaderAsync(TimeSpan.FromSeconds(60)));
    }

    [Fact]
    public async Task ApiServerGoneAndBack_WatchesRecover_NewBuildSucceeds()
    {
        var ns = await fixture.CreateNamespaceAsync("ev-apiserver");
        var apiserver = new Uri(KubeServer(fixture.KubeConfigPath));
        await using var proxy = TcpProxy.Start(apiserver.Port);
        var kubeconfig = Path.Combine(Directory.CreateTempSubdirectory("ev-kubeconfig-").FullName, "config");
        await File.WriteAllTextAsync(kubeconfig, (await File.ReadAllTextAsync(fixture.KubeConfigPath))
            .Replace(apiserver.GetLeftPart(UriPartial.Authority), $"https://127.0.0.1:{proxy.Port}", StringComparison.Ordinal));
        await using var host = await OperatorHost.StartWithOwnGitHubAsync(fixture, new OperatorHostSettings
        {
            Namespace = ns,
            Overrides = new(StringComparer.Ordinal) { ["KUBECONFIG"] = kubeconfig },
        }, output);
        await SampleRepository.CreateAsync(host.GitHub);
        await host.WaitForLeaderAsync(TimeSpan.FromSeconds(60));

        await proxy.DownAsync();
        await Task.Delay(TimeSpan.FromSeconds(3));
        proxy.Resume();
        await EvidenceBuilds.CreateAsync(fixture.Kubernetes, ns, "after", SampleRepository.FullName, PlatformFixture.UniqueName("app"), SampleRepository.Token);
        var build = await EvidenceBuilds.WaitForTerminalAsync(fixture.Kubernetes, ns, "after", TimeSpan.FromMinutes(3));

        Assert.Equal(Phases.Succeeded, build.Status!.Phase);
    }

    [Fact]
    public async Task RegistryDownFor60Seconds_ServiceFaultsRetried_BuildSucceeds()
    {
        var ns = await fixture.CreateNamespaceAsync("ev-registry");
        await using var proxy = TcpProxy.Start(int.Parse(fixture.Registry.Split(':')[1], System.Globalization.CultureInfo.InvariantCulture));
        await using var host = await OperatorHost.StartWithOwnGitHubAsync(fixture, new OperatorHostSettings
        {
            Namespace = ns,
            Overrides = new(StringComparer.Ordinal)
            {
                ["Build:Registry"] = $"127.0.0.1:{proxy.Port}",
                // Retries 10 s, 20 s, 30 s, 30 s apart: the policy outlasts a one-minute outage.
                ["Retry:BaseDelay"] = "00:00:10",
                ["Retry:MaxDelay"] = "00:00:30",
            },
        }, output);
        // BuildKit pulls the base image from the registry with the build's credentials, which are for the proxy's
        // address: the sample's FROM goes through the proxy too (the node's Docker cache no longer serves it).
        var files = SampleRepository.Files.ToDictionary(f => f.Key, f => f.Value.Replace(fixture.Registry + "/", $"127.0.0.1:{proxy.Port}/", StringComparison.Ordinal));
        await host.GitHub.CreateRepositoryAsync(SampleRepository.FullName, files, SampleRepository.Token, defaultBranch: "main", isPrivate: true, commitDate: SampleRepository.CommitDate);

        await proxy.DownAsync();
        await EvidenceBuilds.CreateAsync(fixture.Kubernetes, ns, "flaky", SampleRepository.FullName, PlatformFixture.UniqueName("app"), SampleRepository.Token, maxRetries: 5);
        var down = System.Diagnostics.Stopwatch.StartNew();
        var retrying = await WaitForAsync(ns, "flaky", b => b.Status?.LastFailure is not null);
        await Task.Delay(TimeSpan.FromSeconds(60) - down.Elapsed);
        var duringOutage = await EvidenceBuilds.GetAsync(fixture.Kubernetes, ns, "flaky");
        proxy.Resume();
        var build = await EvidenceBuilds.WaitForTerminalAsync(fixture.Kubernetes, ns, "flaky", TimeSpan.FromMinutes(3));

        Assert.Equal(Faults.Service, retrying.Status!.LastFailure!.Fault);
        Assert.Equal(Phases.Retrying, duringOutage.Status!.Phase);
        Assert.True(duringOutage.Status.Retries >= 2, $"retries during the outage: {duringOutage.Status.Retries}");
        Assert.Equal(Phases.Succeeded, build.Status!.Phase);
    }

    private Task<ImageBuild> WaitForAsync(string ns, string name, Func<ImageBuild, bool> condition) =>
        Eventually.ValueAsync(() => EvidenceBuilds.GetAsync(fixture.Kubernetes, ns, name), condition, TimeSpan.FromSeconds(60),
            $"{ns}/{name} to meet the condition", b => KubernetesJson.Serialize(b.Status));

    private static string KubeServer(string kubeconfig) =>
        File.ReadLines(kubeconfig).Select(l => l.Trim()).First(l => l.StartsWith("server:", StringComparison.Ordinal))["server:".Length..].Trim();
}
