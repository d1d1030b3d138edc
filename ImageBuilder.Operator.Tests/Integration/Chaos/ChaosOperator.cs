using System.Diagnostics;
using System.Globalization;

namespace ImageBuilder.Operator.Tests.Integration.Chaos;

/// <summary>
/// One operator replica as its own process (the approach of bench/OperatorProcess), so SIGKILL is a real crash:
/// no Lease release, no shutdown hooks, unacked deliveries and in-flight reconciles simply stop.
/// </summary>
public sealed class ChaosOperator : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StreamWriter _log;

    private ChaosOperator(string identity, Process process, StreamWriter log, string logFile)
    {
        Identity = identity;
        _process = process;
        _log = log;
        LogFile = logFile;
    }

    public string Identity { get; }

    public string LogFile { get; }

    public bool HasExited => _process.HasExited;

    public static ChaosOperator Start(string operatorDll, string identity, IReadOnlyDictionary<string, string> env, string logDirectory)
    {
        var psi = new ProcessStartInfo("dotnet", operatorDll)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetDirectoryName(operatorDll)!,
        };
        foreach (var (key, value) in env)
        {
            psi.Environment[key] = value;
        }
        psi.Environment["Controller__LeaderElection__Identity"] = identity;
        psi.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{FreePort()}";
        var logFile = Path.Combine(logDirectory, identity + ".log");
        var writer = new StreamWriter(logFile, append: false) { AutoFlush = true };
        var process = Process.Start(psi) ?? throw new InvalidOperationException("could not start the operator");
        process.OutputDataReceived += (_, e) => Write(writer, e.Data);
        process.ErrorDataReceived += (_, e) => Write(writer, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new ChaosOperator(identity, process, writer, logFile);
    }

    /// <summary>SIGKILL: the crash the Lease and the queues must survive.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            using var kill = Process.Start("kill", ["-KILL", _process.Id.ToString(CultureInfo.InvariantCulture)]);
            await kill!.WaitForExitAsync();
            await _process.WaitForExitAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            using var term = Process.Start("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)]);
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            try
            {
                await _process.WaitForExitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync(CancellationToken.None);
            }
        }
        _process.Dispose();
        lock (_log)
        {
            _log.Dispose();
        }
    }

    private static void Write(StreamWriter writer, string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (writer)
        {
            if (writer.BaseStream.CanWrite)
            {
                writer.WriteLine(line);
            }
        }
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}
