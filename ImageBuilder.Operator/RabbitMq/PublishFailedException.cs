namespace ImageBuilder.Operator.RabbitMq;

/// <summary>The broker did not take a message: returned as unroutable, nacked, or not confirmed in time.</summary>
public sealed class PublishFailedException : Exception
{
    public PublishFailedException()
    {
    }

    public PublishFailedException(string message)
        : base(message)
    {
    }

    public PublishFailedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
