using ImageBuilder.Operator.Api;
using ImageBuilder.Operator.Controllers;
using ImageBuilder.Operator.Controllers.Client;
using ImageBuilder.Operator.Controllers.Hosting;
using ImageBuilder.Operator.Reconciliation;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace ImageBuilder.Operator.Tests.Integration.Controllers;

[Collection(PlatformCollection.Name)]
public sealed class ControllerHostTests(PlatformFixture fixture, ITestOutputHelper output)
{
    [Fact]
    public async Task Host_ReconcilerWritesStatus_StatusWriteDoesNotReconcileAgain()
    {
        var ns = await fixture.CreateNamespaceAsync("host-status");
        await using var controller = await StartAsync(ns);

        await ImageBuilds.CreateAsync(fixture.Kubernetes, ns, "b1");
        var first = await controller.Reconciler.NextAsync();
        await controller.Events.NextAsync(e => e.Kind == "update" && e.Current.Status?.ObservedGeneration == 1);
        await WaitUntilAsync(() => controller.Host.Queue.InFlightCount == 0);
        var (queuedAfterStatusWrite, reconcilesAfterStatusWrite) = (controller.Host.Queue.Count + controller.Host.Queue.DelayedCount, controller.Reconciler.Count);
        await ImageBuilds.PatchAsync(fixture.Kubernetes, ns, "b1", """{"spec":{"source":{"branch":"dev"}}}""");
        var second = await controller.Reconciler.NextAsync();

        Assert.Equal(new ReconcileCall(new ObjectKey(ns, "b1"), 1, false), first);
        Assert.Equal(0, queuedAfterStatusWrite);
        Assert.Equal(1, reconcilesAfterStatusWrite);
        Assert.Equal(new ReconcileCall(new ObjectKey(ns, "b1"), 2, false), second);
    }

    [Fact]
    public async Task Host_OwnedJobChanges_ReconcilesOwningBuild()
    {
        var ns = await fixture.CreateNamespaceAsync("host-job");
        await using var controller = await StartAsync(ns);
        var build = await ImageBuilds.CreateAsync(fixture.Kubernetes, ns, "b1");
        await controller.Reconciler.NextAsync();

        var owner = new V1OwnerReference { ApiVersion = ImageBuild.ApiGroupVersion, Kind = ImageBuild.KindName, Name = "b1", Uid = build.Metadata.Uid, Controller = true };
        await fixture.Kubernetes.BatchV1.CreateNamespacedJobAsync(Jobs.Idle("b1-attempt-1", managed: true, owner), ns);
        var byJob = await controller.Reconciler.NextAsync();

        Assert.Equal(new ObjectKey(ns, "b1"), byJob.Key);
    }

    [Fact]
    public async Task Host_Deleted_ReconcilesKeyOfGoneObject()
    {
        var ns = await fixture.CreateNamespaceAsync("host-delete");
        await using var controller = await StartAsync(ns);
        await ImageBuilds.CreateAsync(fixture.Kubernetes, ns, "b1");
        await controller.Reconciler.NextAsync();

        await ImageBuilds.DeleteAsync(fixture.Kubernetes, ns, "b1");
        var gone = await controller.Reconciler.NextAsync(call => call.Generation is null);

        Assert.Equal(new ObjectKey(ns, "b1"), gone.Key);
    }

    [Fact]
    public async Task Host_StoppedDuringReconcile_LetsItFinishUncancelled()
    {
        var ns = await fixture.CreateNamespaceAsync("host-drain");
        var inFlight = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var controller = await StartAsync(ns, r => r.BeforeStatusWrite = async _ =>
        {
            inFlight.TrySetResult();
            await release.Task;
        });
        await ImageBuilds.CreateAsync(fixture.Kubernetes, ns, "b1");
        await inFlight.Task.WaitAsync(RecordingHandler<object>.Guard);

        var stopping = controller.Host.StopAsync(CancellationToken.None);
        release.SetResult();
        await stopping.WaitAsync(RecordingHandler<object>.Guard);
        var finished = await controller.Reconciler.NextAsync();

        Assert.Equal(new ReconcileCall(new ObjectKey(ns, "b1"), 1, false), finished);
    }

    [Fact]
    public async Task Host_TwoReplicas_OnlyLeaderReconcilesAndFollowerTakesOverWhenItStops()
    {
        var ns = await fixture.CreateNamespaceAsync("host-ha");
        await using var a = await StartAsync(ns, identity: "replica-a");
        await using var b = await StartAsync(ns, identity: "replica-b");
        await WaitUntilAsync(() => a.Leader.IsLeader || b.Leader.IsLeader);
        var (leader, follower) = a.Leader.IsLeader ? (a, b) : (b, a);

        await ImageBuilds.CreateAsync(fixture.Kubernetes, ns, "b1");
        var byLeader = await leader.Reconciler.NextAsync();
        var followerReconcilesWhileFollowing = follower.Reconciler.Count;
        await leader.Host.StopAsync(CancellationToken.None);
        var byNewLeader = await follower.Reconciler.NextAsync();

        Assert.Equal(new ObjectKey(ns, "b1"), byLeader.Key);
        Assert.Equal(0, followerReconcilesWhileFollowing);
        Assert.Equal(new ObjectKey(ns, "b1"), byNewLeader.Key);
        Assert.True(follower.Leader.IsLeader);
        Assert.False(leader.Leader.IsLeader);
    }

    private async Task<RunningController> StartAsync(string ns, Action<StatusWritingReconciler>? configure = null, string? identity = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Controller:Namespace"] = ns,
            ["Controller:Workers"] = "2",
            ["Controller:LeaderElection:Enabled"] = identity is null ? "false" : "true",
        };
        if (identity is not null)
        {
            settings["Controller:LeaderElection:LeaseNamespace"] = ns;
            settings["Controller:LeaderElection:Identity"] = identity;
            settings["Controller:LeaderElection:LeaseDuration"] = "00:00:03";
            settings["Controller:LeaderElection:RenewDeadline"] = "00:00:02";
            settings["Controller:LeaderElection:RetryPeriod"] = "00:00:00.5";
        }
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var reconciler = new StatusWritingReconciler(fixture.Kubernetes);
        configure?.Invoke(reconciler);
        var services = new ServiceCollection();
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Debug).AddProvider(new TestLogs(output)));
        services.AddSingleton(fixture.Kubernetes);
        services.AddSingleton<IReconciler<ImageBuild>>(reconciler);
        // The Jobs Jobs.Idle(managed: true) makes; the runtime is told which Jobs it owns, as the operator's wiring tells it.
        services.AddControllerRuntime<ImageBuild>(configuration, c => c.Owns<V1Job>(ImageBuildController.ManagedJobsSelector));
        var provider = services.BuildServiceProvider();
        var host = provider.GetServices<IHostedService>().OfType<ControllerHost<ImageBuild>>().Single();
        // Registered after the host's own handler, so when this one sees an event the host has already queued it or not.
        var events = new RecordingHandler<ImageBuild>();
        provider.GetRequiredService<ResourceInformer<ImageBuild>>().AddHandler(events);
        await host.StartAsync(CancellationToken.None);
        await provider.GetRequiredService<IObjectCache<ImageBuild>>().WaitForSyncAsync(CancellationToken.None).WaitAsync(RecordingHandler<object>.Guard);
        return new RunningController(provider, host, reconciler, events, provider.GetRequiredService<ILeaderStatus>());
    }

    private static Task WaitUntilAsync(Func<bool> condition, [System.Runtime.CompilerServices.CallerArgumentExpression(nameof(condition))] string what = "") =>
        Eventually.WaitAsync(() => Task.FromResult(condition()), RecordingHandler<object>.Guard, what);

    private sealed record RunningController(
        ServiceProvider Provider, ControllerHost<ImageBuild> Host, StatusWritingReconciler Reconciler, RecordingHandler<ImageBuild> Events, ILeaderStatus Leader)
        : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await Host.StopAsync(CancellationToken.None);
            await Provider.DisposeAsync();
        }
    }
}
