namespace ImageBuilder.Operator.Dashboard;

/// <summary>One queue's depth: messages ready and consumers, or why they could not be read.</summary>
public sealed record QueueView(string Role, string Name, uint? Messages, uint? Consumers, string? Error);
