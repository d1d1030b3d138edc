namespace ImageBuilder.Operator.Dashboard;

/// <summary>One status condition of a build.</summary>
public sealed record ConditionView(string Type, string Status, string? Reason, string? Message, DateTimeOffset? LastTransitionTime);
