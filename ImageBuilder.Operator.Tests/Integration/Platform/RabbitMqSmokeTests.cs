using System.Text;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace ImageBuilder.Operator.Tests.Integration.Platform;

[Collection(PlatformCollection.Name)]
public sealed class RabbitMqSmokeTests(PlatformFixture fixture)
{
    [Fact]
    public async Task Publish_WithConfirm_IsConsumedWithManualAck()
    {
        var queue = PlatformFixture.UniqueName("smoke");
        var factory = new ConnectionFactory { Uri = fixture.AmqpUri };
        await using var connection = await factory.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true));
        await channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false,
            arguments: new Dictionary<string, object?> { ["x-queue-type"] = "quorum" });
        try
        {
            // With confirm tracking on, the publish completes only once the broker confirmed it.
            await channel.BasicPublishAsync("", queue, mandatory: true, new BasicProperties { Persistent = true }, Encoding.UTF8.GetBytes("ping"));

            var received = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
            var consumer = new AsyncEventingBasicConsumer(channel);
            consumer.ReceivedAsync += async (_, delivery) =>
            {
                var body = Encoding.UTF8.GetString(delivery.Body.Span);
                await channel.BasicAckAsync(delivery.DeliveryTag, multiple: false);
                received.TrySetResult(body);
            };
            await channel.BasicConsumeAsync(queue, autoAck: false, consumer);

            Assert.Equal("ping", await received.Task.WaitAsync(TimeSpan.FromSeconds(30)));
            await WaitUntilEmptyAsync(channel, queue);
        }
        finally
        {
            await channel.QueueDeleteAsync(queue);
        }
    }

    // An acked message leaves the queue: the count, including unacked, drops to zero.
    private static Task WaitUntilEmptyAsync(IChannel channel, string queue) =>
        Eventually.WaitAsync(async () => (await channel.QueueDeclarePassiveAsync(queue)).MessageCount == 0, TimeSpan.FromSeconds(30), $"{queue} to be empty");
}
