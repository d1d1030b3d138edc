using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace ImageBuilder.Operator.RabbitMq;

/// <summary>
/// Publishes to a queue through the default exchange on one confirm-tracking channel. A publish
/// returns only once the broker confirmed it; an unroutable message (<c>mandatory</c>, basic.return),
/// a nack or no confirm within the publish timeout is a <see cref="PublishFailedException"/>.
/// The channel is not safe for concurrent publishes, hence the gate.
/// </summary>
public sealed class RabbitMqPublisher(RabbitMqConnection connection, TimeProvider timeProvider, ILogger<RabbitMqPublisher> logger) : IAsyncDisposable
{
    public const string JsonContentType = "application/json";

    private readonly SemaphoreSlim _gate = new(1, 1);
    private IChannel? _channel;

    /// <summary>Properties every operator message carries: persistent JSON, stamped with id and time.</summary>
    public BasicProperties NewProperties(string messageId, string type) => new()
    {
        MessageId = messageId,
        ContentType = JsonContentType,
        ContentEncoding = "utf-8",
        DeliveryMode = DeliveryModes.Persistent,
        AppId = "image-builder",
        Type = type,
        Timestamp = new AmqpTimestamp(timeProvider.GetUtcNow().ToUnixTimeSeconds()),
        Headers = new Dictionary<string, object?>(),
    };

    public async Task PublishAsync(string queue, ReadOnlyMemory<byte> body, BasicProperties properties, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(properties);
        using var timeout = new CancellationTokenSource(connection.Options.PublishTimeout, timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        await _gate.WaitAsync(linked.Token);
        try
        {
            var channel = await ChannelAsync(linked.Token);
            await channel.BasicPublishAsync("", queue, mandatory: true, properties, body, linked.Token);
        }
        catch (PublishException e) when (e.IsReturn)
        {
            throw new PublishFailedException($"The broker returned message {properties.MessageId}: no queue '{queue}' to route it to.", e);
        }
        catch (PublishException e)
        {
            throw new PublishFailedException($"The broker refused message {properties.MessageId} for queue '{queue}' (nack).", e);
        }
        catch (OperationCanceledException e) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new PublishFailedException($"The broker did not confirm message {properties.MessageId} for queue '{queue}' within {connection.Options.PublishTimeout}.", e);
        }
        finally
        {
            _gate.Release();
        }
        Log.Published(logger, properties.MessageId ?? "", queue);
    }

    private async Task<IChannel> ChannelAsync(CancellationToken cancellationToken)
    {
        // Automatic recovery restores a channel lost with its connection, not one the broker closed by itself.
        if (_channel is { IsClosed: true } closed)
        {
            var connected = await connection.GetAsync(cancellationToken);
            if (connected.IsOpen)
            {
                _channel = null;
                await closed.DisposeAsync();
            }
        }
        return _channel ??= await connection.CreatePublisherChannelAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        if (_channel is { } channel)
        {
            _channel = null;
            await channel.DisposeAsync();
        }
        _gate.Dispose();
    }
}
