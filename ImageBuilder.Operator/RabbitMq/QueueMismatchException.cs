namespace ImageBuilder.Operator.RabbitMq;

/// <summary>A queue exists with other arguments than configured; start-up cannot go on.</summary>
public sealed class QueueMismatchException : Exception
{
    public QueueMismatchException()
    {
    }

    public QueueMismatchException(string message)
        : base(message)
    {
    }

    public QueueMismatchException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public string Queue { get; init; } = "";
}
