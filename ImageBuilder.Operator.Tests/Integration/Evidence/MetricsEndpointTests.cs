using ImageBuilder.GitHubServer;
using ImageBuilder.Operator.Api;
using ImageBuilder.Testing.Operators;
using Xunit.Abstractions;

namespace ImageBuilder.Operator.Tests.Integration.Evidence;

/// <summary>The operator host in-process: one real build and one cache hit move the counters <c>/metrics</c> exports.</summary>
[Collection(PlatformCollection.Name)]
public sealed class MetricsEndpointTests(PlatformFixture fixture, ITestOutputHelper output)
{
    private const string CacheHits = """imagebuilder_builds_total{outcome="cache_hit",fault="none"}""";

    [Fact]
    public async Task Metrics_BuildThenCacheHit_CountersMoveAndHealthEndpointsAnswer()
    {
        var ns = await fixture.CreateNamespaceAsync("ev-metrics");
        await using var host = await OperatorHost.StartWithOwnGitHubAsync(fixture, new OperatorHostSettings { Namespace = ns }, output);
        await SampleRepository.CreateAsync(host.GitHub);
        var app = PlatformFixture.UniqueName("app");

        await EvidenceBuilds.CreateAsync(fixture.Kubernetes, ns, "first", SampleRepository.FullName, app, SampleRepository.Token);
        var first = await EvidenceBuilds.WaitForTerminalAsync(fixture.Kubernetes, ns, "first", TimeSpan.FromMinutes(4));
        await EvidenceBuilds.CreateAsync(fixture.Kubernetes, ns, "second", SampleRepository.FullName, app, SampleRepository.Token);
        var second = await EvidenceBuilds.WaitForTerminalAsync(fixture.Kubernetes, ns, "second", TimeSpan.FromMinutes(2));
        var metrics = await PrometheusText.ScrapeOnceAsync(host.Http, new Dictionary<string, double>(StringComparer.Ordinal)
        {
            [CacheHits] = 1,
        });

        Assert.Equal(Phases.Succeeded, first.Status!.Phase);
        Assert.Equal(Phases.Succeeded, second.Status!.Phase);
        Assert.Equal(1, PrometheusText.Value(metrics, """imagebuilder_builds_total{outcome="succeeded",fault="none"}"""));
        Assert.Equal(1, PrometheusText.Value(metrics, CacheHits));
        Assert.Equal(1, PrometheusText.Value(metrics, """imagebuilder_build_duration_seconds_count{outcome="succeeded"}"""));
        Assert.True(PrometheusText.Value(metrics, """imagebuilder_build_duration_seconds_sum{outcome="succeeded"}""") > 0, metrics);
        Assert.True(PrometheusText.Value(metrics, "imagebuilder_reconcile_duration_seconds_count") >= 2, metrics);
        Assert.Equal(1, PrometheusText.Value(metrics, "imagebuilder_leader"));
        Assert.True(PrometheusText.Value(metrics, "process_working_set_bytes") > 0, metrics);
    }

    [Fact]
    public async Task HealthEndpoints_RunningHost_AnswerOkAndLeader()
    {
        var ns = await fixture.CreateNamespaceAsync("ev-health");
        await using var host = await OperatorHost.StartWithOwnGitHubAsync(fixture, new OperatorHostSettings { Namespace = ns }, output);

        var healthz = await host.Http.GetAsync(new Uri("/healthz", UriKind.Relative));
        var readyz = await host.WaitForLeaderAsync(TimeSpan.FromSeconds(60));

        Assert.True(healthz.IsSuccessStatusCode);
        Assert.Equal("ok", await healthz.Content.ReadAsStringAsync());
        Assert.Equal("ready (leader)", readyz);
    }
}
