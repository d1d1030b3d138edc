using ImageBuilder.Operator.Api;
using ImageBuilder.Operator.Controllers;
using ImageBuilder.Operator.Controllers.Client;
using ImageBuilder.Operator.Controllers.Election;
using ImageBuilder.Operator.Controllers.Hosting;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace ImageBuilder.Operator.Tests.Controllers;

public sealed class ControllerServiceCollectionExtensionsTests
{
    [Fact]
    public void AddControllerRuntime_BindsSectionAndRegistersRuntime()
    {
        using var provider = Build(new Dictionary<string, string?>
        {
            ["Controller:Namespace"] = "builds",
            ["Controller:Workers"] = "2",
            ["Controller:LeaderElection:Enabled"] = "false",
        });

        var options = provider.GetRequiredService<IOptions<ControllerOptions>>().Value;
        Assert.Equal("builds", options.Namespace);
        Assert.Equal(2, options.Workers);
        Assert.IsType<SingleInstanceElection>(provider.GetRequiredService<ILeaderElection>());
        Assert.True(provider.GetRequiredService<ILeaderStatus>().IsLeader);
        Assert.NotNull(provider.GetRequiredService<IObjectCache<ImageBuild>>());
        Assert.Null(provider.GetService<IObjectCache<V1Job>>());
        Assert.Contains(provider.GetServices<IHostedService>(), s => s is ControllerHost<ImageBuild>);
    }

    [Fact]
    public void AddControllerRuntime_OwnsAndWatchesOneType_OneInformerAndAWatchEach()
    {
        using var provider = Build([], controller => controller
            .Owns<V1Job>("owner=me", ownerLabel: "owner-name")
            .Watches<V1Job, EveryJobMapper>("owner=me"));

        var watches = provider.GetServices<IControllerWatch<ImageBuild>>().ToList();
        Assert.Equal(2, watches.Count);
        Assert.All(watches, w => Assert.Same(provider.GetRequiredService<ResourceInformer<V1Job>>(), w.Informer));
        Assert.Same(provider.GetRequiredService<ResourceInformer<V1Job>>(), provider.GetRequiredService<IObjectCache<V1Job>>());
        Assert.NotNull(provider.GetRequiredService<EveryJobMapper>());
    }

    [Fact]
    public void AddControllerRuntime_OneTypeWatchedWithTwoSelectors_FailsSayingSo()
    {
        var error = Assert.Throws<ArgumentException>(() => Build([], controller => controller
            .Owns<V1Job>("owner=me")
            .Watches<V1Job, EveryJobMapper>("owner=someone-else")));

        Assert.Contains("V1Job is already watched with selector 'owner=me'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddControllerRuntime_LeaderElectionOn_UsesLease()
    {
        using var provider = Build(new Dictionary<string, string?> { ["Controller:LeaderElection:Identity"] = "replica-1" });

        var election = Assert.IsType<LeaseLeaderElection>(provider.GetRequiredService<ILeaderElection>());
        Assert.Equal("replica-1", election.Identity);
        Assert.False(election.IsLeader);
    }

    [Fact]
    public void AddControllerRuntime_InvalidSection_FailsWithEveryError()
    {
        using var provider = Build(new Dictionary<string, string?>
        {
            ["Controller:Workers"] = "0",
            ["Controller:LeaderElection:RenewDeadline"] = "00:01:00",
        });

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<ControllerOptions>>().Value);
        Assert.Equal(2, error.Failures.Count());
    }

    [Fact]
    public async Task ControllerHost_NoReconcilerRegistered_FailsAtStartSayingSo()
    {
        using var provider = Build(new Dictionary<string, string?> { ["Controller:LeaderElection:Enabled"] = "false" });
        var host = provider.GetServices<IHostedService>().OfType<ControllerHost<ImageBuild>>().Single();

        await host.StartAsync(CancellationToken.None);
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => host.ExecuteTask!);

        Assert.Contains("IReconciler<ImageBuild>", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DefaultIdentity_TwoCalls_Differ()
    {
        Assert.NotEqual(LeaseLeaderElection.DefaultIdentity(), LeaseLeaderElection.DefaultIdentity());
    }

    private static ServiceProvider Build(Dictionary<string, string?> settings, Action<ControllerBuilder<ImageBuild>>? configure = null)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        // A client that is never called: these tests only check the wiring.
        services.AddSingleton<IKubernetes>(_ => new Kubernetes(new KubernetesClientConfiguration { Host = "https://127.0.0.1:1" }));
        services.AddControllerRuntime(configuration, configure);
        return services.BuildServiceProvider();
    }

    private sealed class EveryJobMapper : IKeyMapper<ImageBuild, V1Job>
    {
        public IEnumerable<ObjectKey> Map(V1Job? before, V1Job? after) => [ObjectKey.From((after ?? before)!)];
    }
}
