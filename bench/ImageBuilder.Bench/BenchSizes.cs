namespace ImageBuilder.Bench;

/// <summary>
/// How much to measure; environment variables override the defaults. <c>BENCH_ONLY</c> (comma-separated
/// <see cref="Figures"/>) runs only those measurements; empty runs them all.
/// </summary>
public sealed record BenchSizes(int Ingest, int Reconcile, int Samples, IReadOnlyList<int> Scale, double RssMinutes, int Throughput, IReadOnlyList<string> Only, int FairnessBurst = 20)
{
    /// <summary>The measurements BENCH_ONLY can name, in the order a full run makes them.</summary>
    public static readonly IReadOnlyList<string> Figures = ["ingest", "queue_fairness", "cache_hit", "reconcile", "e2e", "throughput", "warm_cold", "rss"];

    public static BenchSizes FromEnvironment()
    {
        var only = List("BENCH_ONLY");
        var unknown = only.Where(f => !Figures.Contains(f)).ToList();
        if (unknown.Count > 0)
        {
            throw new ArgumentException($"BENCH_ONLY names unknown figures ({string.Join(", ", unknown)}); known: {string.Join(", ", Figures)}");
        }
        var scale = List("BENCH_SCALE").Select(s => int.TryParse(s, out var n) && n > 0 ? n : throw new ArgumentException($"BENCH_SCALE: {s} is not a positive number")).Order().ToList();
        return new(Int("BENCH_INGEST_N", 200), Int("BENCH_RECONCILE_N", 20), Int("BENCH_SAMPLES", 5),
            scale.Count > 0 ? scale : [1000, 5000, 20000], Int("BENCH_RSS_MINUTES", 5), Int("BENCH_THROUGHPUT_N", 50), only, Int("BENCH_FAIRNESS_N", 20));
    }

    public bool Runs(string figure) => Only.Count == 0 || Only.Contains(figure);

    private static List<string> List(string name) =>
        [.. (Environment.GetEnvironmentVariable(name) ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];

    private static int Int(string name, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), out var value) && value > 0 ? value : fallback;
}
