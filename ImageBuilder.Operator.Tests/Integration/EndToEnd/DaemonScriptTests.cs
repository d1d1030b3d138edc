using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace ImageBuilder.Operator.Tests.Integration.EndToEnd;

/// <summary>
/// scripts/common.sh's daemon functions, which every script that starts a daemon uses (services.sh, run.sh),
/// run for real on processes of this test, with a state directory of their own so that no pid file of the
/// platform is touched. In the platform's collection because the daemons they start come from its packages (busybox).
/// </summary>
[Collection(PlatformCollection.Name)]
public sealed class DaemonScriptTests(PlatformFixture platform) : IDisposable
{
    private static readonly TimeSpan ScriptWithin = TimeSpan.FromSeconds(60);
    private readonly string _state = Directory.CreateTempSubdirectory("ib-daemons-").FullName;
    private readonly List<Process> _processes = [];

    private string RunDirectory => Path.Combine(_state, "run");

    [Fact]
    public async Task StopDaemon_PidFileSurvivedAReboot_LeavesTheProcessNowOwningThatPidRunning()
    {
        var unrelated = StartUnrelatedProcess();
        // Written by an earlier boot: same pid, another boot id.
        await WritePidFileAsync("etcd", $"{unrelated.Id}\n");
        await File.WriteAllTextAsync(Path.Combine(RunDirectory, "etcd.start"), "00000000-0000-0000-0000-000000000000 1\n");

        var output = await ScriptAsync("stop_daemon etcd; running etcd && echo running || echo 'not ours'");

        Assert.Equal("not ours", output.Trim());
        Assert.False(unrelated.HasExited);
        Assert.False(File.Exists(Path.Combine(RunDirectory, "etcd.pid")));
        Assert.False(File.Exists(Path.Combine(RunDirectory, "etcd.start")));
    }

    [Fact]
    public async Task StopDaemon_OldFormatPidFileOlderThanTheProcess_LeavesTheProcessRunning()
    {
        var unrelated = StartUnrelatedProcess();
        var file = await WritePidFileAsync("kubelet", unrelated.Id.ToString(CultureInfo.InvariantCulture) + "\n");
        File.SetLastWriteTimeUtc(file, DateTime.UtcNow.AddDays(-2));

        await ScriptAsync("stop_daemon kubelet");

        Assert.False(unrelated.HasExited);
    }

    [Fact]
    public async Task StartAndStopDaemon_TheDaemonItStarted_IsRunningThenStopped()
    {
        var started = await ScriptAsync("start_daemon sleeper sleep 300 2>/dev/null; daemon_pid sleeper");
        var pid = int.Parse(started.Trim(), CultureInfo.InvariantCulture);

        var stopped = await ScriptAsync("stop_daemon sleeper 2>/dev/null; running sleeper && echo running || echo stopped");

        Assert.Equal("stopped", stopped.Trim());
        Assert.True(IsGoneOrZombie(pid), $"pid {pid} still runs");
    }

    [Fact]
    public async Task WaitDaemon_PortTakenByAnotherProcess_FailsAtOnceNamingIt()
    {
        using var holder = new TcpListener(IPAddress.Loopback, 0);
        holder.Start();
        var port = ((IPEndPoint)holder.LocalEndpoint).Port;
        var clock = Stopwatch.StartNew();

        // busybox's httpd cannot bind the port and exits; the wait must not last its 60 s.
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => ScriptAsync(
            $"start_daemon web busybox httpd -f -p 127.0.0.1:{port} -h {_state}; wait_daemon 60 web {port} true"));

        Assert.Contains($"web exited: port {port} is taken by pid {Environment.ProcessId} (", error.Message, StringComparison.Ordinal);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"took {clock.Elapsed}");
    }

    [Fact]
    public async Task WaitDaemon_DaemonListensOnItsPort_IsReadyAndOwnsIt()
    {
        var port = FreePort.Next();

        var output = await ScriptAsync(
            $"start_daemon web busybox httpd -f -p 127.0.0.1:{port} -h {_state} 2>/dev/null; wait_daemon 30 web {port} true; daemon_listens web {port} && echo listening; stop_daemon web 2>/dev/null");

        Assert.Equal("listening", output.Trim());
    }

    private async Task<string> WritePidFileAsync(string name, string content)
    {
        Directory.CreateDirectory(RunDirectory);
        var file = Path.Combine(RunDirectory, name + ".pid");
        await File.WriteAllTextAsync(file, content);
        return file;
    }

    // A process this test started without the scripts: it stands for whatever owns a recycled pid.
    private Process StartUnrelatedProcess()
    {
        var process = Process.Start(new ProcessStartInfo("sleep", "300") { RedirectStandardOutput = true })!;
        _processes.Add(process);
        return process;
    }

    private Task<string> ScriptAsync(string commands)
    {
        var common = Path.Combine(platform.RepoRoot, "scripts", "common.sh");
        return PlatformFixture.RunAsync("env",
            [$"IB_STATE={_state}", $"IB_CACHE={_state}/cache", "bash", "-c", $"source '{common}'; {commands}"], ScriptWithin);
    }

    private static bool IsGoneOrZombie(int pid)
    {
        var stat = Path.Combine("/proc", pid.ToString(CultureInfo.InvariantCulture), "stat");
        if (!File.Exists(stat))
        {
            return true;
        }
        var text = File.ReadAllText(stat);
        return text[(text.LastIndexOf(')') + 2)..].StartsWith('Z');
    }

    public void Dispose()
    {
        foreach (var process in _processes)
        {
            if (!process.HasExited)
            {
                process.Kill();
                process.WaitForExit();
            }
            process.Dispose();
        }
        // Whatever start_daemon left (a failed test) is stopped by pid before its state goes.
        var stop = Process.Start(new ProcessStartInfo("env",
            [$"IB_STATE={_state}", $"IB_CACHE={_state}/cache", "bash", "-c", $"source '{Path.Combine(platform.RepoRoot, "scripts", "common.sh")}'; for f in {RunDirectory}/*.pid; do [ -f \"$f\" ] && stop_daemon \"$(basename \"$f\" .pid)\" 2>/dev/null; done; true"])
        { RedirectStandardError = true });
        stop?.WaitForExit();
        stop?.Dispose();
        Directory.Delete(_state, recursive: true);
    }
}
