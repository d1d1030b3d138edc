using ImageBuilder.Operator.Builds;
using ImageBuilder.Operator.Options;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ImageBuilder.Operator.Tests.Builds;

public sealed class BuildServiceCollectionExtensionsTests
{
    [Fact]
    public void AddBuilds_BuildKitStrategy_ProviderReturnsIt()
    {
        using var provider = Services(new()
        {
            ["Build:Strategy"] = "buildkit",
            ["Build:Registry"] = "127.0.0.1:5000",
            ["Build:Images:Fetch"] = "registry.example.test/fetch:1",
            ["Build:Images:Nixpacks"] = "registry.example.test/nixpacks:1.39.0",
            ["Build:HostNetwork"] = "true",
            ["Build:InsecureRegistries:0"] = "127.0.0.1:5000",
        });

        Assert.IsType<BuildKitStrategy>(provider.GetRequiredService<IBuildStrategyProvider>().Current);
        var options = provider.GetRequiredService<IOptions<BuildOptions>>().Value;
        Assert.True(options.HostNetwork);
        Assert.Equal(["127.0.0.1:5000"], options.InsecureRegistries);
        Assert.NotNull(provider.GetRequiredService<IRegistryClient>());
        Assert.NotNull(provider.GetRequiredService<ImageNamer>());
        Assert.NotNull(provider.GetRequiredService<BuildJobObserver>());
    }

    [Theory]
    [InlineData("kaniko")]
    [InlineData("docker")]
    public void AddBuilds_BadConfiguration_FailsWithEveryError(string strategy)
    {
        using var provider = Services(new() { ["Build:Strategy"] = strategy, ["Build:PendingTimeout"] = "00:00:00" });

        var e = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<BuildOptions>>().Value);

        Assert.Contains(e.Failures, f => f.StartsWith("Build:Strategy", StringComparison.Ordinal));
        Assert.Contains(e.Failures, f => f.StartsWith("Build:PendingTimeout", StringComparison.Ordinal));
        Assert.Contains(e.Failures, f => f.StartsWith("Build:Registry:", StringComparison.Ordinal));
        // No default names an image nobody publishes: the platform must name its fetch and nixpacks images.
        Assert.Contains(e.Failures, f => f.StartsWith("Build:Images:Nixpacks: required", StringComparison.Ordinal) && f.Contains("nixpacks 1.39.0", StringComparison.Ordinal));
        Assert.Contains(e.Failures, f => f.StartsWith("Build:Images:Fetch: required", StringComparison.Ordinal));
    }

    private static ServiceProvider Services(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddBuilds(configuration);
        return services.BuildServiceProvider();
    }
}
