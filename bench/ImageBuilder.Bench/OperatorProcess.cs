using System.Diagnostics;

namespace ImageBuilder.Bench;

/// <summary>The operator as its own process (as make run starts it), so its memory is its own; killed by its pid.</summary>
public sealed class OperatorProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _log;

    private OperatorProcess(Process process, string log, Uri url)
    {
        _process = process;
        _log = log;
        Url = url;
    }

    public Uri Url { get; }

    public int Pid => _process.Id;

    public static async Task<OperatorProcess> StartAsync(string repoRoot, IReadOnlyDictionary<string, string> env, string logFile)
    {
        var port = FreePort();
        var url = new Uri($"http://127.0.0.1:{port}/");
        var psi = new ProcessStartInfo("dotnet", Path.Combine(repoRoot, "ImageBuilder.Operator/bin/Release/net10.0/ImageBuilder.Operator.dll"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = repoRoot,
        };
        foreach (var (key, value) in env)
        {
            psi.Environment[key] = value;
        }
        psi.Environment["ASPNETCORE_URLS"] = url.AbsoluteUri.TrimEnd('/');
        psi.Environment["Logging__LogLevel__Default"] = "Warning";
        var process = Process.Start(psi) ?? throw new InvalidOperationException("could not start the operator");
        var writer = new StreamWriter(logFile, append: false) { AutoFlush = true };
        process.OutputDataReceived += (_, e) => Write(writer, e.Data);
        process.ErrorDataReceived += (_, e) => Write(writer, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var op = new OperatorProcess(process, logFile, url);
        await op.WaitForLeaderAsync();
        return op;
    }

    /// <summary>Resident set size from /proc, in MiB.</summary>
    public double RssMb()
    {
        var line = File.ReadLines($"/proc/{_process.Id}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        var kb = long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture);
        return kb / 1024.0;
    }

    /// <summary>The operator's unlabelled Prometheus samples (name → value), e.g. the reconcile duration's _sum and _count.</summary>
    public async Task<Dictionary<string, double>> MetricsAsync()
    {
        using var http = new HttpClient { BaseAddress = Url, Timeout = TimeSpan.FromSeconds(10) };
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
    public double CpuSeconds() => CpuSecondsOf(_process.Id);

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
    public Dictionary<string, double> RssParts() => File.ReadLines($"/proc/{_process.Id}/status")
        .Where(l => l.StartsWith("RssAnon:", StringComparison.Ordinal) || l.StartsWith("RssFile:", StringComparison.Ordinal) || l.StartsWith("RssShmem:", StringComparison.Ordinal))
        .ToDictionary(l => l[..l.IndexOf(':', StringComparison.Ordinal)], l => Math.Round(long.Parse(l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) / 1024.0, 1));

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            // SIGTERM (graceful: the Lease is released) and a hard kill if it lingers.
            using var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(40));
            try
            {
                await _process.WaitForExitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
            }
        }
        _process.Dispose();
    }

    private async Task WaitForLeaderAsync()
    {
        using var http = new HttpClient { BaseAddress = Url, Timeout = TimeSpan.FromSeconds(2) };
        for (var i = 0; i < 240; i++)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"the operator exited ({_process.ExitCode}); see {_log}");
            }
            try
            {
                if (await http.GetStringAsync(new Uri("readyz", UriKind.Relative)) == "ready (leader)")
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException)
            {
                // Not answering yet.
            }
            await Task.Delay(250);
        }
        throw new TimeoutException($"the operator did not lead within 60 s; see {_log}");
    }

    private static void Write(StreamWriter writer, string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (writer)
        {
            writer.WriteLine(line);
        }
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}
