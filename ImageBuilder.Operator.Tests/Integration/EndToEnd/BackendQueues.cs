using System.Text;
using System.Text.Json;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace ImageBuilder.Operator.Tests.Integration.EndToEnd;

/// <summary>
/// The platform's side of the queues of one release: queue names unique to the run, publishing as the
/// backend does, and reading the responses the container manager and Kusanali would get.
/// </summary>
public sealed class BackendQueues : IAsyncDisposable
{
    private readonly Uri _amqp;
    private IConnection? _connection;

    public BackendQueues(Uri amqp, string prefix)
        : this(amqp, prefix + ".build", prefix + ".fail", prefix + ".cm", prefix + ".kusanali", owned: true)
    {
    }

    private BackendQueues(Uri amqp, string build, string fail, string containerManager, string kusanali, bool owned)
    {
        _amqp = amqp;
        Build = build;
        Fail = fail;
        ContainerManager = containerManager;
        Kusanali = kusanali;
        Owned = owned;
    }

    /// <summary>
    /// The operator's default queue names (docs/contracts.md), which <c>make up</c>'s release consumes. Not owned:
    /// a developer's own release may use them too, so they are never deleted.
    /// </summary>
    public static BackendQueues Defaults(Uri amqp) =>
        new(amqp, "image-builder.build", "image-builder.fail", "container-manager.images", "kusanali.notifications", owned: false);

    public string Build { get; }
    public string Fail { get; }
    public string ContainerManager { get; }
    public string Kusanali { get; }
    /// <summary>Whether the queues are unique to this run, and so deleted at its end.</summary>
    public bool Owned { get; }

    /// <summary>The delay queues the operator declares for <see cref="Fail"/> (DelayTiers.QueueName), for clean-up.</summary>
    public IReadOnlyList<string> DelayQueues(IEnumerable<int> tierSeconds) => tierSeconds.Select(s => $"{Fail}.delay.{s}s").ToList();

    /// <summary>As the backend publishes a BuildRequest: default exchange, routing key = build queue, JSON, not persistent.</summary>
    public async Task PublishLikeBackendAsync(object request)
    {
        await using var channel = await ChannelAsync(confirms: true);
        var body = JsonSerializer.SerializeToUtf8Bytes(request);
        await channel.BasicPublishAsync("", Build, mandatory: true, new BasicProperties { ContentType = "application/json" }, body);
    }

    /// <summary>The next message on <paramref name="queue"/> as JSON (acked), waiting up to <paramref name="within"/>.</summary>
    public async Task<JsonElement> TakeAsync(string queue, TimeSpan within)
    {
        await using var channel = await ChannelAsync(confirms: false);
        using var timeout = new CancellationTokenSource(within);
        while (true)
        {
            if (await channel.BasicGetAsync(queue, autoAck: true) is { } message)
            {
                return JsonDocument.Parse(Encoding.UTF8.GetString(message.Body.Span)).RootElement.Clone();
            }
            if (timeout.IsCancellationRequested)
            {
                throw new TimeoutException($"no message arrived on {queue} within {within}");
            }
            await Task.Delay(200, CancellationToken.None);
        }
    }

    /// <summary>Consumers and ready messages of <paramref name="queue"/>; zeros while the queue does not exist yet.</summary>
    public async Task<(uint Consumers, uint Ready)> CountsAsync(string queue)
    {
        try
        {
            await using var channel = await ChannelAsync(confirms: false);
            var ok = await channel.QueueDeclarePassiveAsync(queue);
            return (ok.ConsumerCount, ok.MessageCount);
        }
        catch (OperationInterruptedException e) when (e.ShutdownReason?.ReplyCode == 404)
        {
            return (0, 0);
        }
    }

    /// <summary>Deletes <paramref name="queues"/>; each on its own channel, so one failure does not stop the rest.</summary>
    public async Task DeleteAsync(IEnumerable<string> queues)
    {
        foreach (var queue in queues)
        {
            await using var channel = await ChannelAsync(confirms: false);
            await channel.QueueDeleteAsync(queue, ifUnused: false, ifEmpty: false);
        }
    }

    private async Task<IChannel> ChannelAsync(bool confirms)
    {
        _connection ??= await new ConnectionFactory { Uri = _amqp, ClientProvidedName = "imagebuilder-e2e-backend" }.CreateConnectionAsync();
        return await _connection.CreateChannelAsync(new CreateChannelOptions(confirms, confirms));
    }

    public async ValueTask DisposeAsync()
    {
        if (_connection is not null)
        {
            await _connection.DisposeAsync();
        }
    }
}
