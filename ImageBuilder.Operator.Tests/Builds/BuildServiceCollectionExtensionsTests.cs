using ImageBuilder.Operator.Builds;
using ImageBuilder.Operator.Options;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ImageBuilder.Operator.Tests.Builds;

public sealed class BuildServiceCollectionExtensionsTests
{
    [Theory]
    [InlineData("buildkit", typeof(BuildKitStrategy))]
    [InlineData("docker", typeof(DockerStrategy))]
    public void AddBuilds_Strategy_ProviderReturnsIt(string strategy, Type expected)
    {
        using var provider = Services(new() { ["Build:Strategy"] = strategy, ["Build:Registry"] = "127.0.0.1:5000" });

        Assert.IsType(expected, provider.GetRequiredService<IBuildStrategyProvider>().Current);
        Assert.NotNull(provider.GetRequiredService<IRegistryClient>());
        Assert.NotNull(provider.GetRequiredService<ImageNamer>());
        Assert.NotNull(provider.GetRequiredService<BuildJobObserver>());
    }

    [Fact]
    public void AddBuilds_BadConfiguration_FailsWithEveryError()
    {
        using var provider = Services(new() { ["Build:Strategy"] = "kaniko", ["Build:PendingTimeout"] = "00:00:00" });

        var e = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<BuildOptions>>().Value);

        Assert.Contains(e.Failures, f => f.StartsWith("Build:Strategy", StringComparison.Ordinal));
        Assert.Contains(e.Failures, f => f.StartsWith("Build:PendingTimeout", StringComparison.Ordinal));
        Assert.Contains(e.Failures, f => f.StartsWith("Build:Registry:", StringComparison.Ordinal));
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
