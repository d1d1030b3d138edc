using System.Text.Json;
using System.Text.RegularExpressions;
using ImageBuilder.Operator.Api;
using ImageBuilder.Operator.Metrics;
using ImageBuilder.Operator.Reconciliation;

namespace ImageBuilder.Operator.Tests.Deploy;

/// <summary>
/// The alerting rules and the dashboard of the observability pack: promtool's own check and unit tests
/// (deploy/prometheus/rules_test.yaml) on the shipped rule file, the file kept equal to the chart's one source,
/// and every operator metric they use really exported.
/// </summary>
public sealed partial class PromtoolTests
{
    private static readonly string PrometheusDir = Path.Combine(Helm.RepoRoot, "deploy", "prometheus");
    private static readonly string RuleFile = Path.Combine(PrometheusDir, "rules.yaml");
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task CheckRules_ShippedRuleFile_FiveValidRules()
    {
        var result = await PrometheusTools.RunAsync(await PrometheusTools.PromtoolAsync(), ["check", "rules", RuleFile], Timeout);

        Assert.True(result.Succeeded, result.ToString());
        Assert.Contains("SUCCESS: 5 rules found", result.StdOut + result.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TestRules_RulesTestFile_EveryCasePasses()
    {
        var result = await PrometheusTools.RunAsync(
            await PrometheusTools.PromtoolAsync(), ["test", "rules", Path.Combine(PrometheusDir, "rules_test.yaml")], Timeout);

        Assert.True(result.Succeeded, result.ToString());
        Assert.Contains("SUCCESS", result.StdOut, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TestRules_StricterThresholdsFromValues_ChangeWhatFires()
    {
        var dir = Directory.CreateTempSubdirectory("ib-rules-");
        try
        {
            await RenderRulesAsync(Path.Combine(dir.FullName, "rules.yaml"),
                "--set", "observability.prometheusRule.buildsFailing.ratio=0.8", "--set", "observability.prometheusRule.stuckPending.minutes=30");
            File.Copy(Path.Combine(PrometheusDir, "rules_test.yaml"), Path.Combine(dir.FullName, "rules_test.yaml"));

            var result = await PrometheusTools.RunAsync(
                await PrometheusTools.PromtoolAsync(), ["test", "rules", Path.Combine(dir.FullName, "rules_test.yaml")], Timeout);

            // The cases written for the defaults (75% failed, 20 minutes Pending) no longer fire; the others still pass.
            Assert.False(result.Succeeded, "rules_test.yaml must notice thresholds other than the defaults");
            var failed = FailedAlert().Matches(result.StdOut + result.StdErr).Select(m => m.Groups[1].Value).Distinct().Order(StringComparer.Ordinal);
            Assert.Equal(["ImageBuilderBuildStuckPending", "ImageBuilderBuildsFailing"], failed);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task ShippedRuleFile_EqualsChartSourceRenderedWithDefaults()
    {
        var rendered = Path.Combine(Path.GetTempPath(), $"ib-rules-{Guid.NewGuid():N}.yaml");
        try
        {
            await RenderRulesAsync(rendered);

            Assert.True(
                (await File.ReadAllTextAsync(RuleFile)) == await File.ReadAllTextAsync(rendered),
                "deploy/prometheus/rules.yaml differs from deploy/helm/image-builder/files/rules.yaml rendered with the defaults: run bash scripts/render-rules.sh");
        }
        finally
        {
            File.Delete(rendered);
        }
    }

    [Fact]
    public async Task RulesAndDashboard_UseOnlyMetricsTheOperatorExports()
    {
        var exported = await ExportedFamiliesAsync();
        var rules = await File.ReadAllTextAsync(RuleFile);
        var dashboard = await File.ReadAllTextAsync(Path.Combine(Helm.ChartDir, "files", "dashboard.json"));
        using var parsed = JsonDocument.Parse(dashboard);

        var used = OperatorMetric().Matches(rules + dashboard).Select(m => m.Value).Distinct().ToList();

        Assert.Equal("image-builder", parsed.RootElement.GetProperty("uid").GetString());
        Assert.Contains("imagebuilder_leader", used);
        Assert.Contains("imagebuilder_imagebuild_phase_oldest_seconds", used);
        Assert.All(used, name => Assert.True(
            exported.Contains(name) || exported.Contains(SuffixOf().Replace(name, "")),
            $"{name} is used by the rules or the dashboard but the operator does not export it; it exports: {string.Join(", ", exported.Order(StringComparer.Ordinal))}"));
    }

    /// <summary>Every metric family an operator with all its optional gauges wired exports.</summary>
    private static async Task<HashSet<string>> ExportedFamiliesAsync()
    {
        var metrics = new OperatorMetrics();
        metrics.TrackBuildQueueDepth(_ => Task.FromResult<uint?>(0));
        metrics.TrackImageBuilds(() => Array.Empty<ImageBuild>(), TimeProvider.System);
        metrics.MessageConsumed(MetricLabels.Created);
        metrics.RetryScheduled(new BuildFailure { Fault = Faults.Service });
        metrics.ReconcileFinished(TimeSpan.FromSeconds(1), failed: true);
        metrics.StatusWritten(
            new ImageBuild(), new ImageBuildStatus { Phase = Phases.Building },
            new ImageBuildStatus { Phase = Phases.Failed, CompletionTime = DateTime.UtcNow, LastFailure = new BuildFailure { Fault = Faults.User } });
        using var stream = new MemoryStream();
        await metrics.Registry.CollectAndExportAsTextAsync(stream);
        return System.Text.Encoding.UTF8.GetString(stream.ToArray()).Split('\n')
            .Where(l => l.StartsWith("# TYPE ", StringComparison.Ordinal))
            .Select(l => l.Split(' ')[2])
            .ToHashSet(StringComparer.Ordinal);
    }

    private static async Task RenderRulesAsync(string output, params string[] helmArgs)
    {
        // Installs helm when missing, as every chart test does.
        Assert.True((await Helm.RunAsync("version")).Succeeded);
        var result = await PrometheusTools.RunAsync("bash", [Path.Combine(Helm.RepoRoot, "scripts", "render-rules.sh"), output, .. helmArgs], Timeout);
        Assert.True(result.Succeeded, result.ToString());
    }

    [GeneratedRegex(@"alertname: (\w+), time:")]
    private static partial Regex FailedAlert();

    [GeneratedRegex(@"\bimagebuilder_[a-z_]+[a-z]")]
    private static partial Regex OperatorMetric();

    [GeneratedRegex(@"_(bucket|sum|count)$")]
    private static partial Regex SuffixOf();
}
