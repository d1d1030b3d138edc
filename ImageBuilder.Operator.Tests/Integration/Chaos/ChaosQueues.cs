using System.Text;
using System.Text.Json;
using ImageBuilder.Operator.Api;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace ImageBuilder.Operator.Tests.Integration.Chaos;

/// <summary>
/// Publishes requests and drains notifications with a fresh connection each time, so a broker restart in between
/// needs no recovery logic here; a drained notification keeps its AMQP message id for the duplicate check.
/// </summary>
public static class ChaosQueues
{
    public static async Task PublishAsync(Uri amqp, string queue, IEnumerable<string> bodies, TimeSpan timeout)
    {
        var pending = bodies.ToList();
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            try
            {
                await using var connection = await new ConnectionFactory { Uri = amqp }.CreateConnectionAsync();
                await using var channel = await connection.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true));
                await channel.QueueDeclarePassiveAsync(queue);
                while (pending.Count > 0)
                {
                    var properties = new BasicProperties { Persistent = true, MessageId = Guid.NewGuid().ToString("N"), ContentType = "application/json" };
                    await channel.BasicPublishAsync("", queue, mandatory: true, properties, Encoding.UTF8.GetBytes(pending[0]));
                    pending.RemoveAt(0);
                }
                return;
            }
            catch (Exception e) when (IsTransient(e) && DateTime.UtcNow < deadline)
            {
                // The broker is restarting or the operator has not declared the queue yet; a confirmed body is not resent.
                await Task.Delay(500);
            }
        }
    }

    public static async Task<IReadOnlyList<Notification>> DrainAsync(Uri amqp, string queue)
    {
        var messages = new List<Notification>();
        await using var connection = await new ConnectionFactory { Uri = amqp }.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        while (await channel.BasicGetAsync(queue, autoAck: true) is { } message)
        {
            var response = JsonSerializer.Deserialize<BuildResponse>(message.Body.Span)!;
            messages.Add(new Notification(queue, message.BasicProperties.MessageId ?? "", response));
        }
        return messages;
    }

    public static async Task DeleteAsync(Uri amqp, IEnumerable<string> queues)
    {
        await using var connection = await new ConnectionFactory { Uri = amqp }.CreateConnectionAsync();
        foreach (var queue in queues)
        {
            await using var channel = await connection.CreateChannelAsync();
            try
            {
                await channel.QueueDeleteAsync(queue);
            }
            catch (OperationInterruptedException)
            {
                // Never declared: nothing to delete.
            }
        }
    }

    private static bool IsTransient(Exception e) =>
        e is BrokerUnreachableException or AlreadyClosedException or OperationInterruptedException or PublishException or IOException or TimeoutException;

    public sealed record Notification(string Queue, string MessageId, BuildResponse Response);
}
