using ImageBuilder.Operator.Options;
using ImageBuilder.Operator.Tests.Deploy;
using k8s.Models;
using Microsoft.Extensions.Configuration;

namespace ImageBuilder.Operator.Tests.Dashboard;

/// <summary>The chart's <c>dashboard</c> block: off unless asked for; on, it sets the option and lets the operator list Events.</summary>
public sealed class DashboardChartTests
{
    [Fact]
    public async Task Template_DefaultValues_LeavesDashboardOffAndEventsWriteOnly()
    {
        var manifests = await Helm.TemplateAsync("--set", "registry.host=registry.example.com");

        Assert.DoesNotContain(manifests.Single<V1ConfigMap>("ConfigMap").Data.Keys, k => k.StartsWith("Dashboard__", StringComparison.Ordinal));
        Assert.Equal(["create", "patch"], EventVerbs(manifests));
    }

    [Fact]
    public async Task Template_DashboardEnabled_SetsTheOptionAndGrantsEventsList()
    {
        var manifests = await Helm.TemplateAsync("--set", "registry.host=registry.example.com", "--set", "dashboard.enabled=true");

        var data = manifests.Single<V1ConfigMap>("ConfigMap").Data;
        Assert.Equal("true", data["Dashboard__Enabled"]);
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(data.Select(kv => KeyValuePair.Create(kv.Key.Replace("__", ":", StringComparison.Ordinal), (string?)kv.Value)))
            .Build();
        var options = new DashboardOptions();
        configuration.GetSection(DashboardOptions.SectionName).Bind(options, o => o.ErrorOnUnknownConfiguration = true);
        Assert.True(options.Enabled);
        Assert.True(new DashboardOptionsValidator().Validate(null, options).Succeeded);
        Assert.Equal(["create", "patch", "list"], EventVerbs(manifests));
    }

    [Theory]
    [InlineData("dashboard.enabled=yes")]
    [InlineData("dashboard.port=8081")]
    public async Task Template_BadDashboardValue_FailsSchemaValidation(string set)
    {
        var result = await Helm.RunAsync("template", "image-builder", Helm.ChartDir, "-f", Helm.PlatformImages, "--set", "registry.host=r.example.com", "--set", set);

        Assert.False(result.Succeeded);
        Assert.Contains("dashboard", result.ToString(), StringComparison.Ordinal);
    }

    private static List<string> EventVerbs(RenderedManifests manifests) =>
        [.. manifests.Single<V1ClusterRole>("ClusterRole").Rules.Where(r => r.Resources.Contains("events")).SelectMany(r => r.Verbs)];
}
