using System.Text.Json;
using ImageBuilder.GitHubServer;
using ImageBuilder.Operator.Api;
using ImageBuilder.Operator.Tests.Deploy;
using ImageBuilder.Testing.Operators;
using Xunit.Abstractions;

namespace ImageBuilder.Operator.Tests.Integration.Evidence;

/// <summary>
/// A real Prometheus (Debian's) scrapes the in-process operator's <c>/metrics</c> on loopback, with the shipped
/// alerting rules loaded: the build counter moves in Prometheus after a real build, and every rule evaluates.
/// </summary>
[Collection(PlatformCollection.Name)]
public sealed class PrometheusScrapeTests(PlatformFixture fixture, ITestOutputHelper output)
{
    [Fact]
    public async Task Prometheus_ScrapesOperatorDuringABuild_SeesTheBuildCounterMoveAndEvaluatesTheRules()
    {
        var ns = await fixture.CreateNamespaceAsync("ev-prom");
        await using var host = await OperatorHost.StartWithOwnGitHubAsync(fixture, new OperatorHostSettings { Namespace = ns }, output);
        var rules = Path.Combine(Helm.RepoRoot, "deploy", "prometheus", "rules.yaml");
        await using var prometheus = await PrometheusServer.StartAsync(host.Http.BaseAddress!.Authority, [rules]);
        await SampleRepository.CreateAsync(host.GitHub);
        // Scraped before the build: the counter then starts from a sample Prometheus has seen.
        await Eventually.WaitAsync(async () => (await prometheus.QueryAsync("""up{job="image-builder"} == 1""")).Count == 1,
            TimeSpan.FromSeconds(60), "a first successful scrape of the operator");

        await EvidenceBuilds.CreateAsync(fixture.Kubernetes, ns, "scraped", SampleRepository.FullName, PlatformFixture.UniqueName("app"), SampleRepository.Token);
        var build = await EvidenceBuilds.WaitForTerminalAsync(fixture.Kubernetes, ns, "scraped", TimeSpan.FromMinutes(4));
        var succeeded = await Eventually.ValueAsync(
            () => prometheus.QueryAsync("""imagebuilder_builds_total{job="image-builder",outcome="succeeded",fault="none"}"""),
            r => r.Count == 1 && r[0].Value >= 1, TimeSpan.FromSeconds(60), "Prometheus to see imagebuilder_builds_total move",
            r => string.Join("; ", r.Select(s => s.Value)) + "\n" + prometheus.Log);
        var phases = await Eventually.ValueAsync(
            () => prometheus.QueryAsync("""imagebuilder_imagebuilds{job="image-builder",phase="Succeeded"}"""),
            r => r.Count == 1 && r[0].Value == 1, TimeSpan.FromSeconds(60), "the phase gauge to count the Succeeded build");
        var leader = await prometheus.QueryAsync("""imagebuilder_leader{job="image-builder"}""");
        var moved = await prometheus.QueryAsync("""increase(imagebuilder_builds_total{job="image-builder",outcome="succeeded"}[10m])""");
        using var loaded = await EvidenceRulesAsync(prometheus);

        Assert.Equal(Phases.Succeeded, build.Status!.Phase);
        Assert.Equal(1, succeeded[0].Value);
        Assert.Equal(1, Assert.Single(leader).Value);
        Assert.True(Assert.Single(moved).Value > 0, "the counter went from 0 to 1 within Prometheus' own samples");
        var evaluated = loaded.RootElement.GetProperty("data").GetProperty("groups").EnumerateArray()
            .SelectMany(g => g.GetProperty("rules").EnumerateArray()).ToList();
        Assert.Equal(5, evaluated.Count);
        Assert.All(evaluated, r => Assert.True(r.GetProperty("health").GetString() == "ok", r.ToString()));
        // The operator leads and nothing waits: none of the alerts is pending or firing.
        Assert.All(evaluated, r => Assert.Equal("inactive", r.GetProperty("state").GetString()));
        Assert.Single(phases);
    }

    /// <summary>The rules once every one has been evaluated at least once (lastEvaluation set) since the build ended.</summary>
    private static async Task<JsonDocument> EvidenceRulesAsync(PrometheusServer prometheus)
    {
        var since = DateTimeOffset.UtcNow;
        JsonDocument? last = null;
        await Eventually.WaitAsync(async () =>
        {
            last?.Dispose();
            last = await prometheus.RulesAsync();
            var rules = last.RootElement.GetProperty("data").GetProperty("groups").EnumerateArray().SelectMany(g => g.GetProperty("rules").EnumerateArray()).ToList();
            return rules.Count > 0 && rules.All(r => DateTimeOffset.TryParse(r.GetProperty("lastEvaluation").GetString(), out var at) && at > since);
        }, TimeSpan.FromSeconds(30), "every rule evaluated after the build");
        return last!;
    }
}
