namespace ImageBuilder.Operator.Dashboard;

/// <summary>The queues page: the broker (without credentials) and every queue the operator uses.</summary>
public sealed record QueuesView(bool Enabled, string? Broker, IReadOnlyList<QueueView> Queues, DateTimeOffset ReadAt);
