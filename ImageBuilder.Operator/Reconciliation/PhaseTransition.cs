namespace ImageBuilder.Operator.Reconciliation;

/// <summary>One allowed move of <see cref="BuildLifecycle"/>: from a phase (null: a new ImageBuild) to another, by whom, and why.</summary>
public sealed record PhaseTransition(string? From, string To, string By, string Why);
