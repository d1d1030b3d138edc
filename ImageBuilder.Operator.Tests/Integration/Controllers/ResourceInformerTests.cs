using ImageBuilder.Operator.Api;
using ImageBuilder.Operator.Controllers;
using ImageBuilder.Operator.Controllers.Client;
using ImageBuilder.Operator.Reconciliation;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace ImageBuilder.Operator.Tests.Integration.Controllers;

[Collection(PlatformCollection.Name)]
public sealed class ResourceInformerTests(PlatformFixture fixture, ITestOutputHelper output) : IDisposable
{
    private readonly ILoggerFactory _logs = LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Debug).AddProvider(new TestLogs(output)));

    public void Dispose() => _logs.Dispose();

    [Fact]
    public async Task Informer_AllNamespaces_SeesCreateUpdateDeleteAndCachesObject()
    {
        var ns = await fixture.CreateNamespaceAsync("inf-crud");
        var informer = Informer<ImageBuild>(new KubernetesResourceClient<ImageBuild>(fixture.Kubernetes, null, null));
        var events = Record(informer);
        await using var running = await RunningInformer.StartAsync(informer);

        await ImageBuilds.CreateAsync(fixture.Kubernetes, ns, "b1");
        var added = await events.NextAsync(e => e.Current.Namespace() == ns);
        await ImageBuilds.PatchAsync(fixture.Kubernetes, ns, "b1", """{"spec":{"source":{"branch":"dev"}}}""");
        var updated = await events.NextAsync(e => e.Current.Namespace() == ns);
        var cached = informer.Get(new ObjectKey(ns, "b1"));
        await ImageBuilds.DeleteAsync(fixture.Kubernetes, ns, "b1");
        var deleted = await events.NextAsync(e => e.Current.Namespace() == ns);

        Assert.Equal("add", added.Kind);
        Assert.Equal(("update", "main", "dev"), (updated.Kind, updated.Old!.Spec.Source.Branch, updated.Current.Spec.Source.Branch));
        Assert.Equal("dev", cached?.Spec.Source.Branch);
        Assert.Equal("delete", deleted.Kind);
        Assert.Null(informer.Get(new ObjectKey(ns, "b1")));
    }

    [Fact]
    public async Task Informer_OneNamespace_ListsExistingAndIgnoresOtherNamespaces()
    {
        var ns = await fixture.CreateNamespaceAsync("inf-ns");
        var other = await fixture.CreateNamespaceAsync("inf-other");
        await ImageBuilds.CreateAsync(fixture.Kubernetes, ns, "existing");
        await ImageBuilds.CreateAsync(fixture.Kubernetes, other, "elsewhere");
        var informer = Informer<ImageBuild>(new KubernetesResourceClient<ImageBuild>(fixture.Kubernetes, ns, null));
        var events = Record(informer);
        await using var running = await RunningInformer.StartAsync(informer);

        await ImageBuilds.CreateAsync(fixture.Kubernetes, other, "elsewhere-2");
        await ImageBuilds.CreateAsync(fixture.Kubernetes, ns, "later");
        await events.NextAsync(e => e.Current.Name() == "later");

        Assert.Equal(["existing", "later"], informer.List().Select(b => b.Name()).Order());
        Assert.Equal(2, informer.List(ns).Count);
        Assert.Empty(informer.List(other));
    }

    [Fact]
    public async Task Informer_ServerEndsEveryWatch_ResumesWithoutRelisting()
    {
        var ns = await fixture.CreateNamespaceAsync("inf-reconnect");
        var settings = new InformerSettings { WatchTimeout = TimeSpan.FromSeconds(1), ResyncPeriod = TimeSpan.Zero };
        var informer = Informer<ImageBuild>(new KubernetesResourceClient<ImageBuild>(fixture.Kubernetes, ns, null), settings);
        var events = Record(informer);
        await using var running = await RunningInformer.StartAsync(informer);

        await WaitUntilAsync(() => informer.WatchCount >= 3);
        await ImageBuilds.CreateAsync(fixture.Kubernetes, ns, "after-reconnects");
        var added = await events.NextAsync(e => e.Kind == "add");

        Assert.Equal("after-reconnects", added.Current.Name());
        Assert.Equal(1, informer.ListCount);
        Assert.Equal(0, informer.FailureCount);
    }

    [Fact]
    public async Task Informer_WatchFromCompactedVersion_Gone410_ListsAgainAndKeepsWatching()
    {
        var ns = await fixture.CreateNamespaceAsync("inf-gone");
        await ImageBuilds.CreateAsync(fixture.Kubernetes, ns, "before");
        var client = new StaleFirstWatchClient<ImageBuild>(new KubernetesResourceClient<ImageBuild>(fixture.Kubernetes, ns, null));
        var informer = Informer<ImageBuild>(client);
        var events = Record(informer);
        await using var running = await RunningInformer.StartAsync(informer);

        await WaitUntilAsync(() => informer.ListCount >= 2);
        await ImageBuilds.CreateAsync(fixture.Kubernetes, ns, "after");
        await events.NextAsync(e => e.Current.Name() == "after");

        Assert.Equal(2, informer.ListCount);
        Assert.Equal(0, informer.FailureCount);
        Assert.Equal(["after", "before"], informer.List().Select(b => b.Name()).Order());
    }

    [Fact]
    public async Task Informer_Resync_ReannouncesCachedObjectsAsSameInstance()
    {
        var ns = await fixture.CreateNamespaceAsync("inf-resync");
        await ImageBuilds.CreateAsync(fixture.Kubernetes, ns, "b1");
        var settings = new InformerSettings { ResyncPeriod = TimeSpan.FromMilliseconds(300) };
        var informer = Informer<ImageBuild>(new KubernetesResourceClient<ImageBuild>(fixture.Kubernetes, ns, null), settings);
        var events = Record(informer);
        await using var running = await RunningInformer.StartAsync(informer);

        var resync = await events.NextAsync(e => e.Kind == "resync");

        Assert.Same(resync.Old, resync.Current);
        Assert.Same(informer.Get(new ObjectKey(ns, "b1")), resync.Current);
    }

    [Fact]
    public async Task Informer_JobsWithLabelSelector_SeesOnlyManagedJobs()
    {
        var ns = await fixture.CreateNamespaceAsync("inf-jobs");
        var informer = Informer<V1Job>(new KubernetesResourceClient<V1Job>(fixture.Kubernetes, ns, ImageBuildController.ManagedJobsSelector));
        var events = Record(informer);
        await using var running = await RunningInformer.StartAsync(informer);

        await fixture.Kubernetes.BatchV1.CreateNamespacedJobAsync(Jobs.Idle("unmanaged", managed: false), ns);
        await fixture.Kubernetes.BatchV1.CreateNamespacedJobAsync(Jobs.Idle("managed", managed: true), ns);
        var added = await events.NextAsync(e => e.Kind == "add");

        Assert.Equal("managed", added.Current.Name());
        Assert.Equal(["managed"], informer.List().Select(j => j.Name()));
    }

    [Fact]
    public async Task Informer_ConfigMapByFieldSelector_HoldsOnlyThatOne_AndFollowsIt()
    {
        var ns = await fixture.CreateNamespaceAsync("inf-cm");
        await fixture.Kubernetes.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("other", "1"), ns);
        await fixture.Kubernetes.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("watched", "1"), ns);
        var client = new KubernetesConfigMapResourceClient(fixture.Kubernetes, ns, KubernetesConfigMapResourceClient.NameSelector("watched"));
        var informer = Informer<V1ConfigMap>(client);
        var events = Record(informer);
        await using var running = await RunningInformer.StartAsync(informer);
        var listed = informer.List().Select(m => m.Name()).ToList();

        await fixture.Kubernetes.CoreV1.ReplaceNamespacedConfigMapAsync(ConfigMap("other", "2"), "other", ns);
        await fixture.Kubernetes.CoreV1.ReplaceNamespacedConfigMapAsync(ConfigMap("watched", "2"), "watched", ns);
        var updated = await events.NextAsync(e => e.Kind != "add");
        await fixture.Kubernetes.CoreV1.DeleteNamespacedConfigMapAsync("watched", ns);
        var deleted = await events.NextAsync(e => e.Kind != "add");

        Assert.Equal(["watched"], listed);
        Assert.Equal(("update", "watched", "2"), (updated.Kind, updated.Current.Name(), updated.Current.Data["n"]));
        Assert.Equal(("delete", "watched"), (deleted.Kind, deleted.Current.Name()));
        Assert.Empty(informer.List());
        Assert.True(informer.IsCurrent);
    }

    [Fact]
    public async Task Informer_ConfigMapWatchEndsWithoutEvents_ResumesAndStaysCurrent()
    {
        var ns = await fixture.CreateNamespaceAsync("inf-cm-quiet");
        var settings = new InformerSettings { WatchTimeout = TimeSpan.FromSeconds(1), ResyncPeriod = TimeSpan.Zero };
        var client = new KubernetesConfigMapResourceClient(fixture.Kubernetes, ns, KubernetesConfigMapResourceClient.NameSelector("absent"));
        var informer = Informer<V1ConfigMap>(client, settings);
        await using var running = await RunningInformer.StartAsync(informer);

        // Each watch ends after a second with no event at all (nothing matches), which KubernetesClient reports as a transport error.
        await WaitUntilAsync(() => informer.WatchCount >= 3);

        Assert.Equal((1, 0), (informer.ListCount, informer.FailureCount));
        Assert.True(informer.IsCurrent);
        Assert.Empty(informer.List());
    }

    private static V1ConfigMap ConfigMap(string name, string n) =>
        new() { Metadata = new V1ObjectMeta { Name = name }, Data = new Dictionary<string, string> { ["n"] = n } };

    private ResourceInformer<T> Informer<T>(IResourceClient<T> client, InformerSettings? settings = null)
        where T : class, IKubernetesObject<V1ObjectMeta> =>
        new(client, settings ?? new InformerSettings(), TimeProvider.System, _logs.CreateLogger<ResourceInformer<T>>());

    private static RecordingHandler<T> Record<T>(ResourceInformer<T> informer)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        var recorder = new RecordingHandler<T>();
        informer.AddHandler(recorder);
        return recorder;
    }

    private static Task WaitUntilAsync(Func<bool> condition, [System.Runtime.CompilerServices.CallerArgumentExpression(nameof(condition))] string what = "") =>
        Eventually.WaitAsync(() => Task.FromResult(condition()), RecordingHandler<object>.Guard, what);
}
