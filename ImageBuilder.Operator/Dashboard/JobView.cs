namespace ImageBuilder.Operator.Dashboard;

/// <summary>One build Job of a build, from the operator's Job informer.</summary>
public sealed record JobView(string Name, string? Attempt, string State, int Active, int Succeeded, int Failed,
    DateTimeOffset? Started, DateTimeOffset? Completed, string? Message);
