using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using RabbitMQ.Client.Exceptions;

namespace ImageBuilder.Operator.Messaging;

/// <summary>
/// Consumes one queue with manual acks and the configured prefetch. The handler decides ack or
/// requeue; a requeue waits first, doubling with each consecutive failure, so a broken dependency
/// never turns into a tight redelivery loop. Deliveries are handled <see cref="DispatchConcurrency"/> at a
/// time: the client runs that many dispatch loops on the consumer's channel (RabbitMQ.Client 7's
/// consumerDispatchConcurrency), and the prefetch bounds what is in flight. Each delivery is settled
/// on its own tag (multiple: false), which the client allows from concurrent tasks on one channel;
/// a multiple ack would not be safe with deliveries finishing out of order.
/// </summary>
public abstract class QueueConsumerService(RabbitMqConnection connection, TimeProvider timeProvider, ILogger logger) : BackgroundService
{
    private int _consecutiveFailures;

    /// <summary>The queue consumed.</summary>
    protected abstract string Queue { get; }

    protected RabbitMqConnection Connection => connection;

    /// <summary>Deliveries handled at once; one unless the handler is safe to run concurrently.</summary>
    protected virtual ushort DispatchConcurrency => 1;

    /// <summary>Handles one message; an exception counts as <see cref="DeliveryOutcome.Requeue"/>.</summary>
    protected abstract Task<DeliveryOutcome> HandleAsync(Delivery delivery, CancellationToken cancellationToken);

    /// <summary>
    /// Consumes until stopped. Connection loss is the client's automatic recovery's business; a
    /// consumer the broker ends by itself (queue deleted, channel closed for an error) is not
    /// recovered by the client, so it is re-subscribed here after a backoff, re-declaring the queue.
    /// </summary>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var first = true;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await ConsumeUntilLostAsync(redeclare: !first, stoppingToken);
            }
            catch (Exception e) when (e is OperationInterruptedException or AlreadyClosedException && !stoppingToken.IsCancellationRequested)
            {
                Log.ConsumerFailed(logger, Queue, e.Message);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            first = false;
            if (!stoppingToken.IsCancellationRequested)
            {
                var delay = NextBackoff(peek: false);
                Log.Resubscribing(logger, Queue, delay);
                await DelayAsync(delay, stoppingToken);
            }
        }
    }

    private async Task ConsumeUntilLostAsync(bool redeclare, CancellationToken stoppingToken)
    {
        if (redeclare)
        {
            await connection.RedeclareAsync(Queue, stoppingToken);
        }
        await using var channel = await connection.CreateConsumerChannelAsync(DispatchConcurrency, stoppingToken);
        var lost = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        channel.ChannelShutdownAsync += (_, args) =>
        {
            // Channel-level errors only: a lost connection also shuts its channels, and recovery restores those.
            if (args.Initiator == ShutdownInitiator.Peer && args.ReplyCode is 403 or 404 or 405 or 406)
            {
                lost.TrySetResult();
            }
            return Task.CompletedTask;
        };
        var consumer = new AsyncEventingBasicConsumer(channel);
        consumer.ReceivedAsync += (_, args) => OnReceivedAsync(channel, args, stoppingToken);
        consumer.UnregisteredAsync += (_, _) =>
        {
            lost.TrySetResult();
            return Task.CompletedTask;
        };
        await channel.BasicConsumeAsync(Queue, autoAck: false, consumer, stoppingToken);
        Log.Consuming(logger, Queue, connection.Options.Prefetch);
        await lost.Task.WaitAsync(stoppingToken);
        Log.ConsumerLost(logger, Queue);
    }

    private async Task DelayAsync(TimeSpan delay, CancellationToken stoppingToken)
    {
        try
        {
            await Task.Delay(delay, timeProvider, stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    private async Task OnReceivedAsync(IChannel channel, BasicDeliverEventArgs args, CancellationToken stoppingToken)
    {
        // The body's memory belongs to the client and is reused after this handler returns.
        var delivery = new Delivery(args.Body.ToArray(), args.BasicProperties, args.Redelivered);
        DeliveryOutcome outcome;
        try
        {
            outcome = await HandleAsync(delivery, stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            return;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            Log.HandlerFailed(logger, e, delivery.LogId, Queue, NextBackoff(peek: true));
            outcome = DeliveryOutcome.Requeue;
        }
        await SettleAsync(channel, args.DeliveryTag, delivery, outcome, stoppingToken);
    }

    private async Task SettleAsync(IChannel channel, ulong deliveryTag, Delivery delivery, DeliveryOutcome outcome, CancellationToken stoppingToken)
    {
        try
        {
            if (outcome == DeliveryOutcome.Ack)
            {
                Interlocked.Exchange(ref _consecutiveFailures, 0);
                await channel.BasicAckAsync(deliveryTag, multiple: false, stoppingToken);
                return;
            }
            await Task.Delay(NextBackoff(peek: false), timeProvider, stoppingToken);
            await channel.BasicNackAsync(deliveryTag, multiple: false, requeue: true, stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Unsettled: the broker redelivers it when the channel closes.
        }
        catch (Exception e) when (e is AlreadyClosedException or OperationInterruptedException or IOException)
        {
            Log.SettleFailed(logger, delivery.LogId, Queue, e);
        }
    }

    /// <summary>The wait before a requeue; a handler about to requeue may show it in its log line.</summary>
    protected TimeSpan NextBackoff(bool peek)
    {
        var failures = peek ? Volatile.Read(ref _consecutiveFailures) : Interlocked.Increment(ref _consecutiveFailures) - 1;
        return ExponentialBackoff.Delay(connection.Options.RequeueDelay, connection.Options.MaxRequeueDelay, failures);
    }
}
