using System.Text.Json;
using ImageBuilder.Operator.Api;
using RabbitMQ.Client;

namespace ImageBuilder.Operator.Tests.Integration.Chaos;

/// <summary>One answer drained from a notification queue; it keeps its AMQP message id for the duplicate check.</summary>
public sealed record ChaosNotification(string Queue, string MessageId, BuildResponse Response)
{
    public static ChaosNotification From(string queue, BasicGetResult message)
    {
        ArgumentNullException.ThrowIfNull(message);
        return new ChaosNotification(queue, message.BasicProperties.MessageId ?? "", JsonSerializer.Deserialize<BuildResponse>(message.Body.Span)!);
    }
}
