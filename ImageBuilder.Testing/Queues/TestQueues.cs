using System.Text;
using System.Text.Json;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace ImageBuilder.Testing.Queues;

/// <summary>
/// The other side of the operator's queues, as the platform's services and a test see them: publishes requests
/// (as the backend does, or as a careful sender does), takes and drains answers, counts, waits and cleans up.
/// One client connection, opened on first use and opened again when the broker closed it (tests restart the broker).
/// </summary>
public sealed class TestQueues : IAsyncDisposable
{
    private readonly Uri _amqp;
    private readonly string _clientName;
    private readonly SemaphoreSlim _connecting = new(1, 1);
    private IConnection? _connection;

    public TestQueues(Uri amqp, string clientName = "imagebuilder-tests")
    {
        _amqp = amqp;
        _clientName = clientName;
    }

    /// <summary>A client with its connection open, so a broker that is down fails here rather than at the first publish.</summary>
    public static async Task<TestQueues> ConnectAsync(Uri amqp, string clientName = "imagebuilder-tests")
    {
        var queues = new TestQueues(amqp, clientName);
        await using (await queues.ChannelAsync())
        {
        }
        return queues;
    }

    /// <summary>A channel on the client connection (with publisher confirms when <paramref name="confirms"/>); the caller disposes it.</summary>
    public async Task<IChannel> ChannelAsync(bool confirms = false)
    {
        await _connecting.WaitAsync();
        try
        {
            if (_connection is { IsOpen: false })
            {
                // The broker restarted under us (a resilience test or the chaos soak): connect again.
                await _connection.DisposeAsync();
                _connection = null;
            }
            _connection ??= await new ConnectionFactory { Uri = _amqp, ClientProvidedName = _clientName }.CreateConnectionAsync();
        }
        finally
        {
            _connecting.Release();
        }
        return await _connection.CreateChannelAsync(new CreateChannelOptions(confirms, confirms));
    }

    /// <summary>
    /// As the platform's backend publishes a BuildRequest: default exchange, JSON, not persistent, confirmed; with
    /// <paramref name="messageId"/> as a sender that sets one (the same id twice is a redelivered or resent message).
    /// </summary>
    public Task PublishLikeBackendAsync(string queue, string body, string? messageId = null) =>
        PublishManyAsync(queue, [body], _ => new BasicProperties { ContentType = "application/json", MessageId = messageId });

    /// <summary>Many bodies backend-style on one confirming channel.</summary>
    public Task PublishManyLikeBackendAsync(string queue, IEnumerable<string> bodies) =>
        PublishManyAsync(queue, bodies, _ => new BasicProperties { ContentType = "application/json" });

    /// <summary>As a careful sender publishes: persistent, a fresh message id, confirmed.</summary>
    public Task PublishAsync(string queue, string body) => PublishManyAsync(queue, [body]);

    /// <summary>Every body persistent with a fresh message id, on one confirming channel (fast enough not to be what a throughput figure measures).</summary>
    public Task PublishManyAsync(string queue, IEnumerable<string> bodies) => PublishManyAsync(queue, bodies, _ => Durable());

    /// <summary>
    /// Publishes every body durably, waiting up to <paramref name="within"/> for the queue to exist and the broker to
    /// accept them: a broker restart or a connection cut in between is retried, and a confirmed body is not sent again.
    /// </summary>
    public async Task PublishManyThroughFaultsAsync(string queue, IEnumerable<string> bodies, TimeSpan within)
    {
        var pending = new Queue<string>(bodies);
        await Eventually.WaitAsync(async () =>
        {
            try
            {
                await using var channel = await ChannelAsync(confirms: true);
                await channel.QueueDeclarePassiveAsync(queue);
                while (pending.Count > 0)
                {
                    await channel.BasicPublishAsync("", queue, mandatory: true, Durable(), Encoding.UTF8.GetBytes(pending.Peek()));
                    pending.Dequeue();
                }
                return true;
            }
            catch (Exception e) when (e is BrokerUnreachableException or AlreadyClosedException or OperationInterruptedException or PublishException or IOException or TimeoutException)
            {
                // The broker is restarting or the operator has not declared the queue yet.
                return false;
            }
        }, within, $"the broker to take {pending.Count} message(s) on {queue}");
    }

    /// <summary>Takes <paramref name="count"/> messages from <paramref name="queue"/> (acking them), waiting up to <paramref name="within"/>.</summary>
    public async Task<List<BasicGetResult>> TakeAsync(string queue, int count, TimeSpan within)
    {
        await using var channel = await ChannelAsync();
        var taken = new List<BasicGetResult>();
        await Eventually.WaitAsync(async () =>
        {
            while (taken.Count < count && await channel.BasicGetAsync(queue, autoAck: true) is { } result)
            {
                // The body's memory belongs to the channel: copy it before the channel goes.
                taken.Add(new BasicGetResult(result.DeliveryTag, result.Redelivered, result.Exchange, result.RoutingKey, result.MessageCount, result.BasicProperties, result.Body.ToArray()));
            }
            return taken.Count >= count;
        }, within, $"{count} message(s) on {queue} (got {taken.Count})");
        return taken;
    }

    /// <summary><see cref="TakeAsync"/>, each body parsed as JSON.</summary>
    public async Task<List<JsonElement>> TakeJsonAsync(string queue, int count, TimeSpan within) =>
        [.. (await TakeAsync(queue, count, within)).Select(Json)];

    /// <summary>Takes every message now in <paramref name="queue"/> (acking them).</summary>
    public async Task<List<BasicGetResult>> DrainMessagesAsync(string queue)
    {
        var messages = new List<BasicGetResult>();
        await using var channel = await ChannelAsync();
        while (await channel.BasicGetAsync(queue, autoAck: true) is { } m)
        {
            messages.Add(new BasicGetResult(m.DeliveryTag, m.Redelivered, m.Exchange, m.RoutingKey, m.MessageCount, m.BasicProperties, m.Body.ToArray()));
        }
        return messages;
    }

    /// <summary>Takes every message now in <paramref name="queue"/>, each as its body followed by its headers (for text searches).</summary>
    public async Task<IReadOnlyList<string>> DrainAsync(string queue) =>
        [.. (await DrainMessagesAsync(queue)).Select(m =>
            Encoding.UTF8.GetString(m.Body.Span) + "\n" + string.Join("\n", m.BasicProperties.Headers?.Select(h => $"{h.Key}={Text(h.Value)}") ?? []))];

    /// <summary>Consumers and ready messages of <paramref name="queue"/>; zeros while the queue does not exist yet.</summary>
    public async Task<(uint Consumers, uint Ready)> CountsAsync(string queue)
    {
        try
        {
            await using var channel = await ChannelAsync();
            var ok = await channel.QueueDeclarePassiveAsync(queue);
            return (ok.ConsumerCount, ok.MessageCount);
        }
        catch (OperationInterruptedException e) when (e.ShutdownReason?.ReplyCode == 404)
        {
            return (0, 0);
        }
    }

    /// <summary>Messages ready on <paramref name="queue"/> now (not counting unacked ones).</summary>
    public async Task<uint> ReadyCountAsync(string queue)
    {
        // A queue that does not exist is an error here, not zero: a test asserting "nothing left" must name a real queue.
        await using var channel = await ChannelAsync();
        return (await channel.QueueDeclarePassiveAsync(queue)).MessageCount;
    }

    /// <summary>Waits until the operator declared <paramref name="queue"/> (a publish before that would be dropped).</summary>
    public Task WaitForQueueAsync(string queue, TimeSpan within) =>
        Eventually.WaitAsync(async () => await ExistsAsync(queue), within, $"the queue {queue} to be declared");

    /// <summary>Waits until something consumes <paramref name="queue"/> (the operator declares and consumes its queues after start-up).</summary>
    public Task WaitForConsumerAsync(string queue, TimeSpan within) =>
        Eventually.WaitAsync(async () => (await CountsAsync(queue)).Consumers > 0, within, $"a consumer on {queue}");

    /// <summary>Deletes <paramref name="queues"/>, each on its own channel; one never declared (or already deleted) is fine.</summary>
    public async Task DeleteAsync(IEnumerable<string> queues)
    {
        ArgumentNullException.ThrowIfNull(queues);
        foreach (var queue in queues)
        {
            try
            {
                await using var channel = await ChannelAsync();
                await channel.QueueDeleteAsync(queue, ifUnused: false, ifEmpty: false);
            }
            catch (OperationInterruptedException e) when (e.ShutdownReason?.ReplyCode == 404)
            {
                // Never declared (a role that did not run), or a second owner deleted it: nothing is left behind.
            }
        }
    }

    public static JsonElement Json(BasicGetResult message)
    {
        ArgumentNullException.ThrowIfNull(message);
        return JsonDocument.Parse(message.Body).RootElement.Clone();
    }

    public async ValueTask DisposeAsync()
    {
        if (_connection is not null)
        {
            await _connection.DisposeAsync();
        }
        _connecting.Dispose();
    }

    private async Task<bool> ExistsAsync(string queue)
    {
        try
        {
            await using var channel = await ChannelAsync();
            await channel.QueueDeclarePassiveAsync(queue);
            return true;
        }
        catch (OperationInterruptedException e) when (e.ShutdownReason?.ReplyCode == 404)
        {
            return false;
        }
    }

    private async Task PublishManyAsync(string queue, IEnumerable<string> bodies, Func<string, BasicProperties> properties)
    {
        ArgumentNullException.ThrowIfNull(bodies);
        await using var channel = await ChannelAsync(confirms: true);
        foreach (var body in bodies)
        {
            await channel.BasicPublishAsync("", queue, mandatory: true, properties(body), Encoding.UTF8.GetBytes(body));
        }
    }

    private static BasicProperties Durable() => new() { Persistent = true, MessageId = Guid.NewGuid().ToString("N"), ContentType = "application/json" };

    private static string Text(object? value) => value is byte[] bytes ? Encoding.UTF8.GetString(bytes) : value?.ToString() ?? "";
}
