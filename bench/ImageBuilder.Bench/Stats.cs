namespace ImageBuilder.Bench;

public static class Stats
{
    /// <summary>Nearest-rank percentile (p in 0..100) of the samples.</summary>
    public static double Percentile(IReadOnlyCollection<double> samples, double p)
    {
        var sorted = samples.Order().ToArray();
        if (sorted.Length == 0)
        {
            return double.NaN;
        }
        var rank = (int)Math.Ceiling(p / 100 * sorted.Length);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Length - 1)];
    }

    public static double Median(IReadOnlyCollection<double> samples) => Percentile(samples, 50);

    /// <summary>Rounded; null when not a number (an empty sample, a zero divisor), which JSON cannot hold.</summary>
    public static double? Round(double value, int digits = 3) => double.IsFinite(value) ? Math.Round(value, digits, MidpointRounding.AwayFromZero) : null;
}
