using ImageBuilder.Operator.Options;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace ImageBuilder.Operator.RabbitMq;

/// <summary>
/// Declares every queue the operator consumes or publishes to, durable, with the configured type.
/// A queue that already exists with other arguments (406 PRECONDITION_FAILED) stops start-up with
/// one message naming it and the difference, or is used as it is when so configured.
/// </summary>
public sealed class QueueTopology(RabbitMqOptions options, RetryOptions retry, ILogger logger)
{
    private const ushort PreconditionFailed = 406;

    public DelayTiers DelayTiers { get; } = new(options.FailQueue, retry.EffectiveDelayTiers());

    public IReadOnlyList<QueueDeclaration> Queues()
    {
        // Classic is declared without x-queue-type so it also matches classic queues declared by senders without arguments.
        var typed = options.QueueType == QueueType.Quorum
            ? new Dictionary<string, object?> { ["x-queue-type"] = "quorum" }
            : new Dictionary<string, object?>();
        var main = new[] { options.BuildQueue, options.FailQueue, options.ContainerManagerQueue, options.KusanaliQueue }
            .Select(name => new QueueDeclaration(name, typed));
        return [.. main, .. DelayTiers.Declarations()];
    }

    public async Task DeclareAsync(IConnection connection, CancellationToken cancellationToken)
    {
        foreach (var queue in Queues())
        {
            await DeclareOneAsync(connection, queue, cancellationToken);
        }
    }

    public async Task DeclareOneAsync(IConnection connection, QueueDeclaration queue, CancellationToken cancellationToken)
    {
        // A failed declare closes its channel, so each queue gets its own.
        await using var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
        try
        {
            await channel.QueueDeclareAsync(queue.Name, durable: true, exclusive: false, autoDelete: false,
                arguments: queue.Arguments.ToDictionary(), cancellationToken: cancellationToken);
        }
        catch (OperationInterruptedException e) when (e.ShutdownReason?.ReplyCode == PreconditionFailed)
        {
            var difference = e.ShutdownReason.ReplyText;
            if (options.OnQueueMismatch != QueueMismatchPolicy.UseExisting)
            {
                throw new QueueMismatchException(
                    $"Queue '{queue.Name}' already exists with other arguments than configured ({difference}). " +
                    $"Align {RabbitMqOptions.SectionName}:QueueType with the existing queue, delete the queue, or set {RabbitMqOptions.SectionName}:OnQueueMismatch=UseExisting.", e)
                { Queue = queue.Name };
            }
            Log.QueueMismatchUsingExisting(logger, queue.Name, difference);
            await using var passive = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
            await passive.QueueDeclarePassiveAsync(queue.Name, cancellationToken);
        }
    }
}
