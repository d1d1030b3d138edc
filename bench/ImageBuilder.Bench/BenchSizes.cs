namespace ImageBuilder.Bench;

/// <summary>How much to measure; environment variables override the defaults (which keep a run near 10 minutes).</summary>
public sealed record BenchSizes(int Ingest, int Reconcile, int Samples, int Rss, double RssMinutes)
{
    public static BenchSizes FromEnvironment() => new(
        Int("BENCH_INGEST_N", 200), Int("BENCH_RECONCILE_N", 20), Int("BENCH_SAMPLES", 5), Int("BENCH_RSS_N", 5000), Int("BENCH_RSS_MINUTES", 5));

    private static int Int(string name, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), out var value) && value > 0 ? value : fallback;
}
