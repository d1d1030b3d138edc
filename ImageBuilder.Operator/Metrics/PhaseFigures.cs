namespace ImageBuilder.Operator.Metrics;

/// <summary>What one scrape exports for one phase.</summary>
/// <param name="Count">ImageBuilds in the phase.</param>
/// <param name="OldestSeconds">How long the build that entered the phase first has been in it; 0 when none is.</param>
public readonly record struct PhaseFigures(int Count, double OldestSeconds);
