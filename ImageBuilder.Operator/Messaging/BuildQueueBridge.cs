using System.Text.Json;
using ImageBuilder.Operator.Api;
using ImageBuilder.Operator.Metrics;

namespace ImageBuilder.Operator.Messaging;

/// <summary>
/// Turns build-queue messages into ImageBuilds. A valid request is acked once the apiserver holds
/// its Secret and ImageBuild (never for the length of a build: the broker would time the delivery
/// out); an invalid one is answered on the Kusanali queue and acked, never requeued; an apiserver
/// failure puts the message back after a backoff.
/// </summary>
public sealed class BuildQueueBridge(
    RabbitMqConnection connection,
    RabbitMqPublisher publisher,
    ImageBuildWriter writer,
    TimeProvider timeProvider,
    ILogger<BuildQueueBridge> logger,
    OperatorMetrics? metrics = null) : QueueConsumerService(connection, timeProvider, logger)
{
    private readonly BuildRequestParser _parser = new(connection.Options.MaxMessageBytes);
    private readonly string _namespace = connection.Options.ResolveTargetNamespace();

    protected override string Queue => Connection.Options.BuildQueue;

    /// <summary>
    /// As many as the prefetch: the handler keeps no state between deliveries, two deliveries of one request
    /// meet at the apiserver (409 on the same name), and the apiserver's round trips, not the CPU, bound a
    /// one-at-a-time bridge.
    /// </summary>
    protected override ushort DispatchConcurrency => (ushort)Connection.Options.Prefetch;

    protected override async Task<DeliveryOutcome> HandleAsync(Delivery delivery, CancellationToken cancellationToken)
    {
        var parsed = _parser.Parse(delivery.Body);
        if (parsed.Request is not { } request)
        {
            return await RefuseAsync(delivery, parsed.Message, parsed.Identity, cancellationToken);
        }
        var result = await writer.WriteAsync(request, delivery.MessageId, delivery.Redelivered, _namespace, cancellationToken);
        switch (result.Outcome)
        {
            case BuildWriteOutcome.Created:
                Log.BuildCreated(logger, delivery.LogId, _namespace, result.Name, request);
                metrics?.MessageConsumed(MetricLabels.Created);
                return DeliveryOutcome.Ack;
            case BuildWriteOutcome.AlreadyExists:
                Log.BuildAlreadyExists(logger, delivery.LogId, _namespace, result.Name);
                metrics?.MessageConsumed(MetricLabels.Duplicate);
                return DeliveryOutcome.Ack;
            case BuildWriteOutcome.Rejected:
                return await RefuseAsync(delivery, result.Reason, parsed.Identity, cancellationToken);
            default:
                Log.Requeueing(logger, delivery.LogId, Queue, NextBackoff(peek: true), result.Reason);
                metrics?.MessageConsumed(MetricLabels.Requeued);
                return DeliveryOutcome.Requeue;
        }
    }

    /// <summary>Answers a request that can never succeed; the ack follows only once Kusanali's queue confirmed the answer.</summary>
    private async Task<DeliveryOutcome> RefuseAsync(Delivery delivery, string message, RequestIdentity identity, CancellationToken cancellationToken)
    {
        Log.RequestRefused(logger, delivery.LogId, message);
        metrics?.MessageConsumed(MetricLabels.Rejected);
        var response = new BuildResponse
        {
            ApplicationId = identity.ApplicationId,
            UserId = identity.UserId,
            Repo = identity.Repo,
            Status = BuildResponse.StatusFailed,
            IsError = true,
            Fault = Faults.User,
            Message = message,
            Attempts = 0,
        };
        var properties = publisher.NewProperties("refused-" + delivery.LogId, nameof(BuildResponse));
        properties.Headers!["x-status"] = BuildResponse.StatusFailed;
        properties.Headers["x-fault"] = Faults.User;
        if (delivery.MessageId is not null)
        {
            properties.CorrelationId = delivery.MessageId;
        }
        await publisher.PublishAsync(Connection.Options.KusanaliQueue, JsonSerializer.SerializeToUtf8Bytes(response), properties, cancellationToken);
        return DeliveryOutcome.Ack;
    }
}
