namespace ImageBuilder.Operator.RabbitMq;

/// <summary>A durable queue the operator declares, with the arguments it expects.</summary>
public sealed record QueueDeclaration(string Name, IReadOnlyDictionary<string, object?> Arguments);
