namespace ImageBuilder.Operator.Dashboard;

/// <summary>A build appeared or changed (<see cref="Build"/> set), or was deleted (<see cref="Deleted"/> true).</summary>
public sealed record BuildChange(BuildSummary Build, bool Deleted);
