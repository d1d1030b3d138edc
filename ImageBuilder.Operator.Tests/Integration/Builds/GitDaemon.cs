using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace ImageBuilder.Operator.Tests.Integration.Builds;

/// <summary>A <c>git daemon</c> on 127.0.0.1 serving one repository made for the test; stopped on dispose.</summary>
internal sealed class GitDaemon : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _root;

    private GitDaemon(Process process, string root, int port)
    {
        _process = process;
        _root = root;
        Port = port;
    }

    public int Port { get; }

    public string Url(string repository) => $"git://127.0.0.1:{Port}/{repository}";

    /// <summary>Commits <paramref name="files"/> to a new repository <c>repo.git</c> and serves it; returns the daemon and the commit.</summary>
    public static async Task<(GitDaemon Daemon, string Commit)> StartAsync(IReadOnlyDictionary<string, string> files)
    {
        var root = Directory.CreateTempSubdirectory("ib-git-").FullName;
        var work = Directory.CreateDirectory(Path.Combine(root, "work")).FullName;
        async Task<string> Git(params string[] args) =>
            (await PlatformFixture.RunAsync("git", ["-c", "user.name=t", "-c", "user.email=t@example.test", "-C", work, .. args], TimeSpan.FromSeconds(30))).Trim();
        await Git("init", "-q", "-b", "main");
        foreach (var (path, content) in files)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(work, path))!);
            await File.WriteAllTextAsync(Path.Combine(work, path), content);
        }
        await Git("add", "-A");
        await Git("commit", "-q", "-m", "sample");
        var commit = await Git("rev-parse", "HEAD");
        await PlatformFixture.RunAsync("git", ["clone", "-q", "--bare", work, Path.Combine(root, "repo.git")], TimeSpan.FromSeconds(30));

        var port = FreePort();
        var psi = new ProcessStartInfo("git") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in new[] { "daemon", "--export-all", "--reuseaddr", $"--base-path={root}", "--listen=127.0.0.1", $"--port={port}", root })
        {
            psi.ArgumentList.Add(a);
        }
        var process = Process.Start(psi) ?? throw new InvalidOperationException("could not start git daemon");
        var daemon = new GitDaemon(process, root, port);
        await daemon.WaitListeningAsync();
        return (daemon, commit);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
        Directory.Delete(_root, recursive: true);
    }

    private async Task WaitListeningAsync()
    {
        for (var i = 0; i < 100; i++)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, Port);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(100);
            }
        }
        throw new InvalidOperationException($"git daemon did not listen on 127.0.0.1:{Port}");
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }
}
