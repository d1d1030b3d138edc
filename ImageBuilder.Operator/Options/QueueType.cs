namespace ImageBuilder.Operator.Options;

/// <summary>The RabbitMQ queue type declared for the operator's own queues (<c>x-queue-type</c>).</summary>
public enum QueueType
{
    /// <summary>Replicated, the platform's production choice.</summary>
    Quorum,

    /// <summary>For brokers where the queues already exist as classic ones.</summary>
    Classic,
}
