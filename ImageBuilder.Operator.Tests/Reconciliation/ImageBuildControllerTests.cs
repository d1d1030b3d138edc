using ImageBuilder.Operator.Api;
using ImageBuilder.Operator.Controllers;
using ImageBuilder.Operator.Controllers.Client;
using ImageBuilder.Operator.Controllers.Hosting;
using ImageBuilder.Operator.Reconciliation;
using ImageBuilder.Operator.Reconciliation.Admission;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace ImageBuilder.Operator.Tests.Reconciliation;

public sealed class ImageBuildControllerTests
{
    [Fact]
    public void AddImageBuildController_WatchesTheOperatorsJobsAsOwnedAndForFreedSlots()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        // A client that is never called: this test only checks the wiring.
        services.AddSingleton<IKubernetes>(_ => new Kubernetes(new KubernetesClientConfiguration { Host = "https://127.0.0.1:1" }));
        services.AddImageBuildController(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Controller:LeaderElection:Enabled"] = "false" }).Build());
        using var provider = services.BuildServiceProvider();

        var jobs = provider.GetRequiredService<ResourceInformer<V1Job>>();
        Assert.Same(jobs, provider.GetRequiredService<IObjectCache<V1Job>>());
        Assert.NotNull(provider.GetRequiredService<IObjectCache<ImageBuild>>());
        Assert.Equal(2, provider.GetServices<IControllerWatch<ImageBuild>>().Count(w => ReferenceEquals(w.Informer, jobs)));
        Assert.NotNull(provider.GetRequiredService<QueuedBuildsOnFreedSlot>());
        Assert.Contains(provider.GetServices<IHostedService>(), s => s is ControllerHost<ImageBuild>);
        Assert.Equal<CacheTransform<V1Job>>(JobCacheTrim.Trim, provider.GetRequiredService<CacheTransform<V1Job>>());
        Assert.Equal<CacheTransform<ImageBuild>>(ImageBuildCacheTrim.Trim, provider.GetRequiredService<CacheTransform<ImageBuild>>());
        // The builds' cache keeps the index supersession and retention read (an index it does not keep throws).
        Assert.Empty(provider.GetRequiredService<IObjectCache<ImageBuild>>().ByIndex(Supersession.ByApplication, "team\n18008\napp"));
    }

    [Fact]
    public void ManagedByLabel_IsTheOneTheRuntimeInternsValuesOf()
    {
        // Every cached build and Job carries it; the runtime keeps one copy of its value instead of one per object.
        Assert.Equal(CacheTransforms.ManagedByLabel, Annotations.ManagedByLabel);
    }

    [Fact]
    public void ManagedJobsSelector_SelectsTheManagedByLabelTheOperatorSets()
    {
        Assert.Equal($"{Annotations.ManagedByLabel}={Annotations.ManagedByValue}", ImageBuildController.ManagedJobsSelector);
    }

    [Fact]
    public void BuildOf_NoOwnerReferenceButBuildLabel_FallsBackToLabel()
    {
        var job = Job(labels: new Dictionary<string, string> { [Annotations.BuildLabel] = "build-3" });

        Assert.Equal(new ObjectKey("team-a", "build-3"), ImageBuildController.BuildOf(job));
    }

    [Fact]
    public void BuildOf_OwnerReferenceAndLabelDisagree_OwnerReferenceWins()
    {
        var job = Job(
            owners: [new V1OwnerReference { ApiVersion = ImageBuild.ApiGroupVersion, Kind = ImageBuild.KindName, Name = "from-owner", Uid = "u1" }],
            labels: new Dictionary<string, string> { [Annotations.BuildLabel] = "from-label" });

        Assert.Equal(new ObjectKey("team-a", "from-owner"), ImageBuildController.BuildOf(job));
    }

    [Fact]
    public void BuildOf_JobOfNoBuild_ReturnsNull()
    {
        var job = Job(labels: new Dictionary<string, string> { [Annotations.ManagedByLabel] = Annotations.ManagedByValue });

        Assert.Null(ImageBuildController.BuildOf(job));
    }

    private static V1Job Job(IList<V1OwnerReference>? owners = null, IDictionary<string, string>? labels = null) => new()
    {
        Metadata = new V1ObjectMeta { Name = "job-1", NamespaceProperty = "team-a", OwnerReferences = owners, Labels = labels },
    };
}
