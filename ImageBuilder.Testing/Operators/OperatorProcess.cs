using System.Diagnostics;
using System.Globalization;

namespace ImageBuilder.Testing.Operators;

/// <summary>
/// The operator as its own process, as <c>make run</c> starts it: a SIGKILL is a real crash (no Lease release, no
/// shutdown hooks; unacked deliveries and in-flight reconciles simply stop), and its memory is its own. Its output
/// goes to a log file; disposing stops it gracefully (SIGTERM) and hard if it lingers.
/// </summary>
public sealed class OperatorProcess : IOperatorInstance
{
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(40);
    private readonly Process _process;
    private readonly StreamWriter _log;

    private OperatorProcess(Process process, StreamWriter log, string logFile, Uri url, string? identity)
    {
        _process = process;
        _log = log;
        LogFile = logFile;
        Url = url;
        Identity = identity;
    }

    /// <summary>Its Lease holder identity, when the caller set one (replicas of one group tell each other apart by it).</summary>
    public string? Identity { get; }

    public string LogFile { get; }

    public Uri Url { get; }

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>
    /// Starts <paramref name="operatorDll"/> with <paramref name="environment"/> (see <see cref="OperatorConfiguration.Environment"/>)
    /// on a free port; does not wait for it (<see cref="WaitForLeaderAsync"/>).
    /// </summary>
    public static OperatorProcess Start(string operatorDll, IReadOnlyDictionary<string, string> environment, string logFile, string? identity = null)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var url = new Uri($"http://127.0.0.1:{FreePort.Next()}/");
        var psi = StartInfo(operatorDll, environment);
        if (identity is not null)
        {
            psi.Environment["Controller__LeaderElection__Identity"] = identity;
        }
        psi.Environment["ASPNETCORE_URLS"] = url.AbsoluteUri.TrimEnd('/');
        var log = new StreamWriter(logFile, append: false) { AutoFlush = true };
        var process = Process.Start(psi) ?? throw new InvalidOperationException("could not start the operator");
        process.OutputDataReceived += (_, e) => Write(log, e.Data);
        process.ErrorDataReceived += (_, e) => Write(log, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new OperatorProcess(process, log, logFile, url, identity);
    }

    /// <summary>
    /// How the operator's dll is started with <paramref name="environment"/>: from its own folder, as a release runs it
    /// (its appsettings.json applies), with its output redirected.
    /// </summary>
    public static ProcessStartInfo StartInfo(string operatorDll, IReadOnlyDictionary<string, string> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var psi = new ProcessStartInfo("dotnet", [operatorDll])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetDirectoryName(operatorDll)!,
        };
        foreach (var (key, value) in environment)
        {
            psi.Environment[key] = value;
        }
        return psi;
    }

    /// <summary><see cref="Start"/>, then waits until it leads (the only replica of its Lease).</summary>
    public static async Task<OperatorProcess> StartLeaderAsync(string operatorDll, IReadOnlyDictionary<string, string> environment, string logFile, TimeSpan within)
    {
        var op = Start(operatorDll, environment, logFile);
        try
        {
            await op.WaitForLeaderAsync(within);
            return op;
        }
        catch
        {
            await op.DisposeAsync();
            throw;
        }
    }

    public Task<string> WaitForLeaderAsync(TimeSpan within) =>
        Readyz.WaitForLeaderAsync(Url, within, () => _process.HasExited ? $"the operator exited ({_process.ExitCode}); see {LogFile}" : null);

    /// <summary>Resident set size from /proc, in MiB.</summary>
    public double RssMb()
    {
        var line = File.ReadLines($"/proc/{_process.Id}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024.0;
    }

    /// <summary>SIGKILL: the crash the Lease and the queues must survive.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            await SignalAsync("-KILL");
            await _process.WaitForExitAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            // SIGTERM (graceful: the Lease is released) and a hard kill if it lingers.
            await SignalAsync("-TERM");
            await ProcessRun.WaitForExitOrKillAsync(_process, StopTimeout);
        }
        _process.Dispose();
        lock (_log)
        {
            _log.Dispose();
        }
    }

    private async Task SignalAsync(string signal)
    {
        using var kill = Process.Start("kill", [signal, _process.Id.ToString(CultureInfo.InvariantCulture)]);
        await kill!.WaitForExitAsync();
    }

    private static void Write(StreamWriter log, string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (log)
        {
            // Output can still arrive while the process is disposed: a closed log drops it.
            if (log.BaseStream is { CanWrite: true })
            {
                log.WriteLine(line);
            }
        }
    }
}
