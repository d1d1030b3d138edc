using System.Text;
using ImageBuilder.Operator.Api;
using ImageBuilder.Operator.Retries;
using k8s;
using k8s.Models;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace ImageBuilder.Operator.Tests.Integration.Messaging;

[Collection(PlatformCollection.Name)]
public sealed class RetryTests(PlatformFixture fixture, ITestOutputHelper output)
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(60);
    private static readonly BuildFailure ServiceFailure = new() { Fault = Faults.Service, Reason = "RegistryUnavailable", Message = "The registry answered 503.", Attempt = 1 };

    private static ImageBuild Build(string ns, string name, string uid) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns, Uid = uid },
        Spec = new ImageBuildSpec { UserId = "18008", Source = new SourceSpec { Repo = "vano2903/testing" } },
    };

    /// <summary>The retry listener alone (no bridge) on queues of its own, releasing into a new namespace.</summary>
    private Task<MessagingHarness> StartRetryListenerAsync(string namespacePrefix) =>
        MessagingHarness.StartInNewNamespaceAsync(fixture, output, namespacePrefix, new() { ["RabbitMq:Bridge:Enabled"] = "false" });

    private static IRetryScheduler Scheduler(MessagingHarness harness) => harness.Provider.GetRequiredService<IRetryScheduler>();

    private async Task<ImageBuild> CreateBuildAsync(string ns, string name)
    {
        var build = new ImageBuild
        {
            Metadata = new V1ObjectMeta { Name = name },
            Spec = new ImageBuildSpec { UserId = "18008", Source = new SourceSpec { Connector = "github", Repo = "vano2903/testing", Type = "repo" } },
        };
        return await fixture.Kubernetes.CustomObjects.CreateNamespacedCustomObjectAsync<ImageBuild>(build, ImageBuild.Group, ImageBuild.Version, ns, ImageBuild.Plural);
    }

    private async Task<ImageBuild> GetBuildAsync(string ns, string name) =>
        await fixture.Kubernetes.CustomObjects.GetNamespacedCustomObjectAsync<ImageBuild>(ImageBuild.Group, ImageBuild.Version, ns, ImageBuild.Plural, name);

    [Fact]
    public async Task ScheduleAsync_LongThenShortDelay_ShortIsReleasedFirst()
    {
        await using var harness = MessagingHarness.Create(fixture, output, "unused", new() { ["RabbitMq:RetryListener:Enabled"] = "false", ["RabbitMq:Bridge:Enabled"] = "false" });
        var scheduler = Scheduler(harness);

        await scheduler.ScheduleAsync(Build("ns", "long", "uid-long"), 2, TimeSpan.FromSeconds(3), ServiceFailure, CancellationToken.None);
        await scheduler.ScheduleAsync(Build("ns", "short", "uid-short"), 2, TimeSpan.FromSeconds(1), ServiceFailure, CancellationToken.None);

        var released = await harness.TakeAsync(harness.Options.FailQueue, 2, Within);
        Assert.Equal(["short", "long"], released.Select(m => MessagingHarness.Json(m).GetProperty("name").GetString()));
        var first = released[0];
        Assert.Equal("uid-short-retry-2", first.BasicProperties.MessageId);
        Assert.Equal("2", Encoding.UTF8.GetString((byte[])first.BasicProperties.Headers![RetryRelease.AttemptHeader]!));
        Assert.Equal("service", Encoding.UTF8.GetString((byte[])first.BasicProperties.Headers[RetryRelease.FaultHeader]!));
        Assert.Equal("RegistryUnavailable", Encoding.UTF8.GetString((byte[])first.BasicProperties.Headers[RetryRelease.ReasonHeader]!));
        Assert.DoesNotContain("token", Encoding.UTF8.GetString(first.Body.Span), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task RetryListener_ReleasedAttempt_AnnotatesTheImageBuild()
    {
        await using var harness = await StartRetryListenerAsync("mq-retry");
        var ns = harness.Namespace;
        var scheduler = Scheduler(harness);
        var build = await CreateBuildAsync(ns, "ib-retry");
        Assert.False(scheduler.IsReleased(build, 2, DateTimeOffset.UtcNow));

        await scheduler.ScheduleAsync(build, 2, TimeSpan.FromSeconds(1), ServiceFailure, CancellationToken.None);

        await Eventually.WaitAsync(async () => scheduler.IsReleased(await GetBuildAsync(ns, "ib-retry"), 2, DateTimeOffset.UtcNow), Within, "release of attempt 2");
        var read = await GetBuildAsync(ns, "ib-retry");
        Assert.Equal("2", read.Metadata.Annotations[Annotations.RetryReleased]);
        Assert.False(scheduler.IsReleased(read, 3, DateTimeOffset.UtcNow));
    }

    [Fact]
    public async Task RetryListener_BuildGoneOrRecreated_DropsTheRelease()
    {
        await using var harness = await StartRetryListenerAsync("mq-retry-drop");
        var ns = harness.Namespace;
        var scheduler = Scheduler(harness);
        var recreated = await CreateBuildAsync(ns, "ib-recreated");
        var witness = await CreateBuildAsync(ns, "ib-witness");

        await scheduler.ScheduleAsync(Build(ns, "ib-gone", "uid-gone"), 2, TimeSpan.FromSeconds(1), ServiceFailure, CancellationToken.None);
        await scheduler.ScheduleAsync(Build(ns, "ib-recreated", "uid-of-an-older-one"), 2, TimeSpan.FromSeconds(1), ServiceFailure, CancellationToken.None);
        await scheduler.ScheduleAsync(witness, 2, TimeSpan.FromSeconds(1), ServiceFailure, CancellationToken.None);

        // One tier, one consumer, in order: once the witness is released the two before it were handled.
        await Eventually.WaitAsync(async () => scheduler.IsReleased(await GetBuildAsync(ns, "ib-witness"), 2, DateTimeOffset.UtcNow), Within, "release of the witness");
        Assert.Null((await GetBuildAsync(ns, "ib-recreated")).Metadata.Annotations?.FirstOrDefault(a => a.Key == Annotations.RetryReleased).Value);
        Assert.Equal(recreated.Metadata.Uid, (await GetBuildAsync(ns, "ib-recreated")).Metadata.Uid);
        Assert.Contains(harness.Logs.Lines, l => l.Contains("ib-gone dropped: the ImageBuild no longer exists", StringComparison.Ordinal));
        Assert.Contains(harness.Logs.Lines, l => l.Contains("ib-recreated dropped: the ImageBuild was re-created (uid differs)", StringComparison.Ordinal));
        Assert.Equal(0u, await harness.ReadyCountAsync(harness.Options.FailQueue));
    }
}
