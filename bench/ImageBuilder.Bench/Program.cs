using System.Text;
using System.Text.Json;
using ImageBuilder.Bench;
using ImageBuilder.Testing;

// usage: ImageBuilder.Bench <platform.env> <repo root> <results dir>
if (args.Length != 3)
{
    Console.Error.WriteLine("usage: ImageBuilder.Bench <platform.env> <repo root> <results dir>");
    return 2;
}
var (envFile, repoRoot, resultsDir) = (args[0], Path.GetFullPath(args[1]), Path.GetFullPath(args[2]));
Directory.CreateDirectory(resultsDir);
var workDir = Directory.CreateTempSubdirectory("imagebuilder-bench-").FullName;
var sizes = BenchSizes.FromEnvironment();
var started = DateTimeOffset.UtcNow;
Console.WriteLine($"bench: {sizes with { Only = [] }} only [{string.Join(",", sizes.Only)}]; operator logs in {workDir}");
using var bench = new Bench(PlatformEnvironment.Load(envFile), repoRoot, workDir, sizes);
string? error = null;
try
{
    await bench.RunAsync();
}
catch (Exception e)
{
    error = e.Message;
    Console.Error.WriteLine(e);
}
var results = new SortedDictionary<string, object?>(bench.Results.ToDictionary(), StringComparer.Ordinal)
{
    ["started"] = started.ToString("O"),
    ["duration_s"] = Math.Round((DateTimeOffset.UtcNow - started).TotalSeconds, 1),
    ["sizes"] = sizes,
};
if (error is not null)
{
    results["error"] = error;
}
var json = JsonSerializer.Serialize(results, new JsonSerializerOptions { WriteIndented = true });
await File.WriteAllTextAsync(Path.Combine(resultsDir, "latest.json"), json + "\n");
var md = new StringBuilder()
    .AppendLine("# make bench: latest run")
    .AppendLine()
    .AppendLine("Measured in one run on this machine by `make bench` (scripts/bench.sh → bench/ImageBuilder.Bench).")
    .AppendLine("Definitions: bench/README.md.")
    .AppendLine()
    .AppendLine(sizes.Only.Count == 0
        ? "Every figure was measured in this run."
        : $"Only `BENCH_ONLY={string.Join(',', sizes.Only)}` was measured in this run; the other figures are absent, not zero.")
    .AppendLine()
    .AppendLine("| figure | value |")
    .AppendLine("|---|---|");
foreach (var (key, value) in results)
{
    md.AppendLine($"| `{key}` | {JsonSerializer.Serialize(value)} |");
}
await File.WriteAllTextAsync(Path.Combine(resultsDir, "latest.md"), md.ToString());
if (bench.Results.TryGetValue("scaling", out var scaling) && scaling is List<Dictionary<string, double>> { Count: > 0 } points)
{
    ScalingPlot.Write(points, Path.Combine(resultsDir, "scaling.png"), $"make bench, {started:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores");
}
Console.WriteLine(json);
return error is null ? 0 : 1;
