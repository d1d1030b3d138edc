using ImageBuilder.Operator.Api;
using ImageBuilder.Operator.RabbitMq;
using ImageBuilder.Operator.Tests.Requests;
using k8s;
using Microsoft.Extensions.DependencyInjection;
using RabbitMQ.Client;
using Xunit.Abstractions;

namespace ImageBuilder.Operator.Tests.Integration.Messaging;

[Collection(PlatformCollection.Name)]
public sealed class ResilienceTests(PlatformFixture fixture, ITestOutputHelper output)
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(120);

    private async Task<int> BuildCountAsync(string ns) =>
        (await fixture.Kubernetes.CustomObjects.ListNamespacedCustomObjectAsync<ImageBuildList>(ImageBuild.Group, ImageBuild.Version, ns, ImageBuild.Plural)).Items.Count;

    /// <summary>
    /// services.sh has no restart of its own, so the broker application is stopped and started
    /// with rabbitmqctl (the Erlang node stays up; queues and connections go down as in a restart).
    /// </summary>
    private static async Task RestartBrokerAsync()
    {
        var timeout = TimeSpan.FromMinutes(2);
        try
        {
            await PlatformFixture.RunAsync("rabbitmqctl", ["-q", "-n", "rabbit@localhost", "stop_app"], timeout);
        }
        finally
        {
            await PlatformFixture.RunAsync("rabbitmqctl", ["-q", "-n", "rabbit@localhost", "start_app"], timeout);
            await PlatformFixture.RunAsync("rabbitmqctl", ["-q", "-n", "rabbit@localhost", "await_startup"], timeout);
        }
    }

    private static async Task PublishWithRetryAsync(MessagingHarness harness, string body)
    {
        await Eventually.WaitAsync(async () =>
        {
            try
            {
                await harness.PublishLikeBackendAsync(body);
                return true;
            }
            catch (Exception e) when (e is RabbitMQ.Client.Exceptions.AlreadyClosedException or RabbitMQ.Client.Exceptions.OperationInterruptedException
                or RabbitMQ.Client.Exceptions.PublishException or IOException or TimeoutException)
            {
                return false;
            }
        }, Within, "a publish after the restart");
    }

    [Fact]
    public async Task Bridge_BrokerRestartWhileConsuming_LosesNothing()
    {
        await using var harness = await MessagingHarness.StartInNewNamespaceAsync(fixture, output, "mq-restart");
        var ns = harness.Namespace;
        // Enough that the bridge is still working through them (some unacked) when the broker goes down.
        const int before = 300;
        await harness.PublishManyLikeBackendAsync(Enumerable.Range(0, before).Select(i => RequestSamples.Flat(o => o["branch"] = $"before-{i}")));

        await RestartBrokerAsync();
        await PublishWithRetryAsync(harness, RequestSamples.Flat(o => o["branch"] = "after-restart"));

        await Eventually.WaitAsync(async () => await BuildCountAsync(ns) == before + 1, Within, $"{before + 1} ImageBuilds");
        await Eventually.WaitAsync(async () => await harness.ReadyCountAsync(harness.Options.BuildQueue) == 0, Within, "an empty build queue");
        Assert.Equal(before + 1, await BuildCountAsync(ns));
        Assert.Contains(harness.Logs.Lines, l => l.Contains("recovered", StringComparison.Ordinal));
        output.WriteLine($"ImageBuilds before the broker went down: {harness.Logs.Lines.TakeWhile(l => !l.Contains("lost", StringComparison.Ordinal)).Count(l => l.Contains("became ImageBuild", StringComparison.Ordinal))}");
    }

    [Fact]
    public async Task Bridge_QueueDeletedUnderIt_RedeclaresAndConsumesAgain()
    {
        await using var harness = await MessagingHarness.StartInNewNamespaceAsync(fixture, output, "mq-deleted");
        var ns = harness.Namespace;

        await using (var channel = await harness.ClientChannelAsync(confirms: false))
        {
            await channel.QueueDeleteAsync(harness.Options.BuildQueue);
        }
        await Eventually.WaitAsync(() => Task.FromResult(harness.Logs.Lines.Count(l => l.Contains($"Consuming {harness.Options.BuildQueue}", StringComparison.Ordinal)) >= 2),
            Within, "a second subscription");
        await harness.PublishLikeBackendAsync(RequestSamples.Flat());

        await Eventually.WaitAsync(async () => await BuildCountAsync(ns) == 1, Within, "the ImageBuild");
        Assert.Contains(harness.Logs.Lines, l => l.Contains("The broker ended the consumer", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Connect_BrokerNotThereYet_KeepsTryingWithoutLoggingThePassword()
    {
        await using var harness = MessagingHarness.Create(fixture, output, "unused", new() { ["RabbitMq:Uri"] = "amqp://guest:s3cr3t-pw@127.0.0.1:1/" });
        var connection = harness.Provider.GetRequiredService<RabbitMqConnection>();
        using var stop = new CancellationTokenSource();

        var connecting = connection.GetAsync(stop.Token);
        await Eventually.WaitAsync(() => Task.FromResult(harness.Logs.Lines.Count(l => l.Contains("unreachable", StringComparison.Ordinal)) >= 2), Within, "two connection attempts");
        await stop.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => connecting);
        Assert.Contains(harness.Logs.Lines, l => l.Contains("amqp://127.0.0.1:1/", StringComparison.Ordinal));
        Assert.DoesNotContain(harness.Logs.Lines, l => l.Contains("s3cr3t-pw", StringComparison.Ordinal));
    }
}
