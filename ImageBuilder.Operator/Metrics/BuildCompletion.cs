namespace ImageBuilder.Operator.Metrics;

/// <summary>A build that reached a terminal phase: its outcome, fault and time from creation.</summary>
/// <param name="Outcome">One of <see cref="MetricLabels.Succeeded"/>, <see cref="MetricLabels.Failed"/>, <see cref="MetricLabels.CacheHit"/>.</param>
/// <param name="Fault"><c>user</c>, <c>service</c> or <see cref="MetricLabels.NoFault"/>.</param>
/// <param name="Duration">From the ImageBuild's creation to its completion time; null when either is unknown.</param>
public sealed record BuildCompletion(string Outcome, string Fault, TimeSpan? Duration);
