using System.Globalization;
using System.Text.RegularExpressions;

namespace ImageBuilder.Bench;

/// <summary>
/// Reads buildctl's <c>--progress=plain</c> output (util/progress/progressui/printer.go): a vertex's first line is
/// <c>#N NAME</c>, its last <c>#N DONE 1.2s</c>, <c>#N CACHED</c> or <c>#N ERROR: …</c>. The Dockerfile's own steps are
/// the vertices the dockerfile frontend names <c>[i/n] INSTRUCTION</c> or <c>[stage i/n] INSTRUCTION</c>; the others
/// (<c>[internal] load …</c>, <c>[auth] …</c>, <c>importing cache manifest …</c>, <c>exporting to image</c>,
/// <c>exporting cache to registry</c>) are BuildKit's own work around them.
/// </summary>
public static partial class BuildKitProgress
{
    /// <summary>Seconds of the Dockerfile's steps (sum of their DONE durations; a cached step counts 0).</summary>
    public static double StepSeconds(string log) => Vertices(log).Where(v => IsStep(v.Name)).Sum(v => v.Seconds);

    /// <summary>How many of the Dockerfile's steps BuildKit found CACHED (here: in the imported registry cache).</summary>
    public static int CachedSteps(string log) => Vertices(log).Count(v => IsStep(v.Name) && v.Cached);

    public static bool IsStep(string name) => Step().IsMatch(name);

    /// <summary>
    /// Every finished vertex: its name, its DONE duration (0 when CACHED) and whether it was CACHED. A vertex can be
    /// printed done more than once (its header repeats when its progress resumes), each time with its duration since
    /// the same start, so the longest one counts, once.
    /// </summary>
    public static IReadOnlyList<(string Name, double Seconds, bool Cached)> Vertices(string log)
    {
        ArgumentNullException.ThrowIfNull(log);
        var names = new Dictionary<int, string>();
        var done = new SortedDictionary<int, (string Name, double Seconds, bool Cached)>();
        foreach (var line in log.Split('\n'))
        {
            var m = Line().Match(line.TrimEnd('\r'));
            if (!m.Success)
            {
                continue;
            }
            var id = int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
            var rest = m.Groups[2].Value;
            if (!names.TryGetValue(id, out var name))
            {
                names[id] = rest;
            }
            else if (Done().Match(rest) is { Success: true } d)
            {
                var seconds = double.Parse(d.Groups[1].Value, CultureInfo.InvariantCulture);
                done[id] = (name, Math.Max(seconds, done.TryGetValue(id, out var before) ? before.Seconds : 0), false);
            }
            else if (rest == "CACHED")
            {
                done[id] = (name, 0, true);
            }
        }
        return [.. done.Values];
    }

    [GeneratedRegex(@"^#(\d+) (.*)$")]
    private static partial Regex Line();

    [GeneratedRegex(@"^DONE (\d+(?:\.\d+)?)s$")]
    private static partial Regex Done();

    [GeneratedRegex(@"^\[(?:[^\]\s]+ )?\d+/\d+\] ")]
    private static partial Regex Step();
}
