namespace ImageBuilder.Operator.Dashboard;

/// <summary>One Kubernetes Event about a build.</summary>
public sealed record EventView(string Type, string Reason, string Message, int Count, DateTimeOffset? Last);
