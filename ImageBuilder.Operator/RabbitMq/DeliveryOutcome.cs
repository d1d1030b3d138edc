namespace ImageBuilder.Operator.RabbitMq;

/// <summary>What a handler decided about a delivery.</summary>
public enum DeliveryOutcome
{
    /// <summary>Done (or deliberately dropped): remove it from the queue.</summary>
    Ack,

    /// <summary>A dependency failed: put it back after the consumer's backoff.</summary>
    Requeue,
}
