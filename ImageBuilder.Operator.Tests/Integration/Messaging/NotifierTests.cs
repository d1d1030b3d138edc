using ImageBuilder.Operator.Api;
using ImageBuilder.Operator.Notifications;
using ImageBuilder.Operator.RabbitMq;
using Microsoft.Extensions.DependencyInjection;
using RabbitMQ.Client;
using Xunit.Abstractions;

namespace ImageBuilder.Operator.Tests.Integration.Messaging;

[Collection(PlatformCollection.Name)]
public sealed class NotifierTests(PlatformFixture fixture, ITestOutputHelper output)
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(30);

    private static readonly string[] ContractFields =
        ["applicationID", "userID", "repo", "status", "imageID", "imageName", "buildCommit", "isError", "fault", "message", "buildOutput", "attempts", "imageBuild"];

    private static BuildResponse Success() => new()
    {
        ApplicationId = "65a1c0ffee",
        UserId = "18008",
        Repo = "vano2903/testing",
        Status = BuildResponse.StatusSuccess,
        ImageId = "sha256:" + new string('a', 64),
        ImageName = "127.0.0.1:5000/18008/65a1c0ffee:3f2c9ab",
        BuildCommit = "3f2c9ab",
        Attempts = 1,
        ImageBuild = "ns/ib-1",
    };

    [Fact]
    public async Task NotifyAsync_Success_ConfirmedOnContainerManagerQueueWithContractBody()
    {
        await using var harness = MessagingHarness.Create(fixture, output, "unused");
        var notifier = harness.Provider.GetRequiredService<IBuildNotifier>();

        var queue = await notifier.NotifyAsync(Success(), "uid-1-attempt-1", CancellationToken.None);

        Assert.Equal(harness.Options.ContainerManagerQueue, queue);
        var message = Assert.Single(await harness.TakeAsync(queue, 1, Within));
        Assert.Equal("uid-1-attempt-1", message.BasicProperties.MessageId);
        Assert.Equal("application/json", message.BasicProperties.ContentType);
        Assert.Equal(DeliveryModes.Persistent, message.BasicProperties.DeliveryMode);
        var json = MessagingHarness.Json(message);
        Assert.Equal(ContractFields.Order(), json.EnumerateObject().Select(p => p.Name).Order());
        Assert.Equal("success", json.GetProperty("status").GetString());
        Assert.Equal("127.0.0.1:5000/18008/65a1c0ffee:3f2c9ab", json.GetProperty("imageName").GetString());
        Assert.False(json.GetProperty("isError").GetBoolean());
        Assert.Equal(1, json.GetProperty("attempts").GetInt32());
        Assert.Equal("ns/ib-1", System.Text.Encoding.UTF8.GetString((byte[])message.BasicProperties.Headers!["x-imagebuild"]!));
    }

    [Fact]
    public async Task NotifyAsync_Failure_ConfirmedOnKusanaliQueue()
    {
        await using var harness = MessagingHarness.Create(fixture, output, "unused");
        var notifier = harness.Provider.GetRequiredService<IBuildNotifier>();
        var failure = Success() with { Status = BuildResponse.StatusFailed, IsError = true, Fault = Faults.User, Message = "The build failed: npm ERR!", BuildOutput = "npm ERR! missing script" };

        var queue = await notifier.NotifyAsync(failure, "uid-1-attempt-2", CancellationToken.None);

        Assert.Equal(harness.Options.KusanaliQueue, queue);
        var json = MessagingHarness.Json(Assert.Single(await harness.TakeAsync(queue, 1, Within)));
        Assert.Equal(("failed", "user", true), (json.GetProperty("status").GetString(), json.GetProperty("fault").GetString(), json.GetProperty("isError").GetBoolean()));
        Assert.Equal("npm ERR! missing script", json.GetProperty("buildOutput").GetString());
    }

    [Fact]
    public async Task NotifyAsync_QueueGone_FailsInsteadOfLosingTheMessage()
    {
        await using var harness = MessagingHarness.Create(fixture, output, "unused");
        await harness.Provider.GetRequiredService<RabbitMqConnection>().GetAsync(CancellationToken.None);
        await using (var channel = await harness.ClientChannelAsync(confirms: false))
        {
            await channel.QueueDeleteAsync(harness.Options.ContainerManagerQueue);
        }
        var notifier = harness.Provider.GetRequiredService<IBuildNotifier>();

        var error = await Assert.ThrowsAsync<PublishFailedException>(() => notifier.NotifyAsync(Success(), "uid-1-attempt-1", CancellationToken.None));

        Assert.Contains($"no queue '{harness.Options.ContainerManagerQueue}'", error.Message, StringComparison.Ordinal);
        // The publishing channel survives a return: the next notification still goes through.
        Assert.Equal(harness.Options.KusanaliQueue, await notifier.NotifyAsync(Success() with { Status = BuildResponse.StatusFailed }, "uid-1-attempt-3", CancellationToken.None));
    }

    [Fact]
    public async Task NotifyAsync_ManyConcurrently_AllConfirmedOnce()
    {
        await using var harness = MessagingHarness.Create(fixture, output, "unused");
        var notifier = harness.Provider.GetRequiredService<IBuildNotifier>();

        var queues = await Task.WhenAll(Enumerable.Range(0, 50).Select(i => notifier.NotifyAsync(Success(), $"id-{i}", CancellationToken.None)));

        Assert.All(queues, q => Assert.Equal(harness.Options.ContainerManagerQueue, q));
        var messages = await harness.TakeAsync(harness.Options.ContainerManagerQueue, 50, Within);
        Assert.Equal(50, messages.Select(m => m.BasicProperties.MessageId).Distinct().Count());
    }
}
