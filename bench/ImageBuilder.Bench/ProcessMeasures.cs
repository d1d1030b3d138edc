using ImageBuilder.Testing.Operators;

namespace ImageBuilder.Bench;

/// <summary>What the bench reads of an operator process (and of the apiserver) beside the shared harness's RSS: /metrics, CPU, the RSS split.</summary>
public static class ProcessMeasures
{
    /// <summary>The operator's unlabelled Prometheus samples (name → value), e.g. the reconcile duration's _sum and _count.</summary>
    public static async Task<Dictionary<string, double>> MetricsAsync(this OperatorProcess op)
    {
        using var http = new HttpClient { BaseAddress = op.Url, Timeout = TimeSpan.FromSeconds(10) };
        var text = await http.GetStringAsync(new Uri("metrics", UriKind.Relative));
        var samples = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n'))
        {
            var parts = line.Split(' ');
            if (parts.Length == 2 && !line.StartsWith('#') && !parts[0].Contains('{', StringComparison.Ordinal)
                && double.TryParse(parts[1], System.Globalization.CultureInfo.InvariantCulture, out var value))
            {
                samples[parts[0]] = value;
            }
        }
        return samples;
    }

    /// <summary>CPU seconds (user + system) the operator process has used so far.</summary>
    public static double CpuSeconds(this OperatorProcess op) => CpuSecondsOf(op.Pid);

    /// <summary>CPU seconds (user + system) of a process, from /proc/PID/stat (fields 14 and 15, in clock ticks of 1/100 s).</summary>
    public static double CpuSecondsOf(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (long.Parse(fields[11], System.Globalization.CultureInfo.InvariantCulture) + long.Parse(fields[12], System.Globalization.CultureInfo.InvariantCulture)) / 100.0;
    }

    /// <summary>The pid of the platform's kube-apiserver (by its command name), or null.</summary>
    public static int? ApiServerPid() => Directory.EnumerateDirectories("/proc")
        .Select(d => int.TryParse(Path.GetFileName(d), out var pid) ? pid : 0)
        .Where(pid => pid > 0)
        .Select(pid => (pid, comm: TryRead($"/proc/{pid}/comm")))
        .Where(p => p.comm?.Trim() == "kube-apiserver")
        .Select(p => (int?)p.pid)
        .FirstOrDefault();

    private static string? TryRead(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>RSS split as /proc reports it: anonymous (heaps, stacks), file-backed (mapped assemblies), shared memory (the JIT's double-mapped code).</summary>
    public static Dictionary<string, double> RssParts(this OperatorProcess op) => File.ReadLines($"/proc/{op.Pid}/status")
        .Where(l => l.StartsWith("RssAnon:", StringComparison.Ordinal) || l.StartsWith("RssFile:", StringComparison.Ordinal) || l.StartsWith("RssShmem:", StringComparison.Ordinal))
        .ToDictionary(l => l[..l.IndexOf(':', StringComparison.Ordinal)], l => Math.Round(long.Parse(l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) / 1024.0, 1));
}
