using RabbitMQ.Client.Exceptions;

namespace ImageBuilder.Operator.RabbitMq;

/// <summary>
/// The bridge's consumer lag: messages ready on the build queue, read with a passive declare at scrape time (one
/// short-lived channel per scrape). Null when the broker cannot answer, so a scrape never fails because of it.
/// </summary>
public sealed class BuildQueueDepth(RabbitMqConnection connection)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(2);

    public async Task<uint?> ReadAsync(CancellationToken cancellationToken)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(Timeout);
        try
        {
            var amqp = await connection.GetAsync(cts.Token);
            await using var channel = await amqp.CreateChannelAsync(cancellationToken: cts.Token);
            var queue = await channel.QueueDeclarePassiveAsync(connection.Options.BuildQueue, cts.Token);
            return queue.MessageCount;
        }
        catch (Exception e) when (e is OperationCanceledException or OperationInterruptedException or BrokerUnreachableException or AlreadyClosedException)
        {
            return null;
        }
    }
}
