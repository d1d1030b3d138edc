using System.Text;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace ImageBuilder.Operator.Tests.Integration.Evidence;

/// <summary>A plain client connection: publishes requests and drains queues as text (body and headers) for assertions.</summary>
public sealed class TestQueues : IAsyncDisposable
{
    private readonly IConnection _connection;

    private TestQueues(IConnection connection) => _connection = connection;

    public static async Task<TestQueues> ConnectAsync(Uri amqp) =>
        new(await new ConnectionFactory { Uri = amqp }.CreateConnectionAsync());

    /// <summary>Waits until the operator declared <paramref name="queue"/> (a publish before that would be dropped).</summary>
    public async Task WaitForQueueAsync(string queue, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        while (true)
        {
            await using var channel = await _connection.CreateChannelAsync();
            try
            {
                await channel.QueueDeclarePassiveAsync(queue, cts.Token);
                return;
            }
            catch (OperationInterruptedException) when (!cts.IsCancellationRequested)
            {
                await Task.Delay(200, CancellationToken.None);
            }
        }
    }

    public async Task PublishAsync(string queue, string body)
    {
        await using var channel = await _connection.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true));
        var properties = new BasicProperties { Persistent = true, MessageId = Guid.NewGuid().ToString("N"), ContentType = "application/json" };
        await channel.BasicPublishAsync("", queue, mandatory: true, properties, Encoding.UTF8.GetBytes(body));
    }

    /// <summary>Publishes every body on one confirming channel (fast enough not to be what a throughput figure measures).</summary>
    public async Task PublishManyAsync(string queue, IEnumerable<string> bodies)
    {
        ArgumentNullException.ThrowIfNull(bodies);
        await using var channel = await _connection.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true));
        foreach (var body in bodies)
        {
            var properties = new BasicProperties { Persistent = true, MessageId = Guid.NewGuid().ToString("N"), ContentType = "application/json" };
            await channel.BasicPublishAsync("", queue, mandatory: true, properties, Encoding.UTF8.GetBytes(body));
        }
    }

    /// <summary>Takes every message now in <paramref name="queue"/>, each as its body followed by its headers.</summary>
    public async Task<IReadOnlyList<string>> DrainAsync(string queue)
    {
        var messages = new List<string>();
        await using var channel = await _connection.CreateChannelAsync();
        while (await channel.BasicGetAsync(queue, autoAck: true) is { } message)
        {
            var headers = message.BasicProperties.Headers?.Select(h => $"{h.Key}={Text(h.Value)}") ?? [];
            messages.Add(Encoding.UTF8.GetString(message.Body.Span) + "\n" + string.Join("\n", headers));
        }
        return messages;
    }

    /// <summary>Deletes queues a test's operator declared; missing ones are fine.</summary>
    public async Task DeleteAsync(IEnumerable<string> queues)
    {
        foreach (var queue in queues)
        {
            await using var channel = await _connection.CreateChannelAsync();
            try
            {
                await channel.QueueDeleteAsync(queue);
            }
            catch (OperationInterruptedException)
            {
                // Never declared (a role that did not run): nothing to delete.
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _connection.CloseAsync();
        _connection.Dispose();
    }

    private static string Text(object? value) => value is byte[] bytes ? Encoding.UTF8.GetString(bytes) : value?.ToString() ?? "";
}
