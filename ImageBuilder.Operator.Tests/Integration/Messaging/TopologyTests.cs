using ImageBuilder.Operator.Api;
using ImageBuilder.Operator.RabbitMq;
using ImageBuilder.Operator.Tests.Requests;
using k8s;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace ImageBuilder.Operator.Tests.Integration.Messaging;

[Collection(PlatformCollection.Name)]
public sealed class TopologyTests(PlatformFixture fixture, ITestOutputHelper output)
{
    [Fact]
    public async Task Connect_QueueExistsAsClassic_FailsNamingQueueAndDifference()
    {
        await using var harness = MessagingHarness.Create(fixture, output, "unused");
        await using (var channel = await harness.ClientChannelAsync(confirms: false))
        {
            await channel.QueueDeclareAsync(harness.Options.KusanaliQueue, durable: true, exclusive: false, autoDelete: false);
        }

        var error = await Assert.ThrowsAsync<QueueMismatchException>(() => harness.Provider.GetRequiredService<RabbitMqConnection>().GetAsync(CancellationToken.None));

        Assert.Equal(harness.Options.KusanaliQueue, error.Queue);
        Assert.Contains($"Queue '{harness.Options.KusanaliQueue}' already exists with other arguments", error.Message, StringComparison.Ordinal);
        Assert.Contains("x-queue-type", error.Message, StringComparison.Ordinal);
        Assert.Contains("OnQueueMismatch=UseExisting", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Connect_MismatchWithUseExisting_StartsAndConsumesTheExistingQueue()
    {
        var ns = await fixture.CreateNamespaceAsync("mq-existing");
        await using var harness = MessagingHarness.Create(fixture, output, ns, new() { ["RabbitMq:OnQueueMismatch"] = "UseExisting" });
        await using (var channel = await harness.ClientChannelAsync(confirms: false))
        {
            await channel.QueueDeclareAsync(harness.Options.BuildQueue, durable: true, exclusive: false, autoDelete: false);
        }

        await harness.StartAsync();
        await harness.PublishLikeBackendAsync(RequestSamples.Flat());

        await Eventually.WaitAsync(async () => (await fixture.Kubernetes.CustomObjects.ListNamespacedCustomObjectAsync<ImageBuildList>(
            ImageBuild.Group, ImageBuild.Version, ns, ImageBuild.Plural)).Items.Count == 1, TimeSpan.FromSeconds(60), "the ImageBuild");
        Assert.Contains(harness.Logs.Lines, l => l.Contains($"Queue {harness.Options.BuildQueue} exists with other arguments", StringComparison.Ordinal));
    }
}
