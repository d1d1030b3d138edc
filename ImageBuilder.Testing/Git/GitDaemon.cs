using System.Diagnostics;
using System.Net.Sockets;

namespace ImageBuilder.Testing.Git;

/// <summary>A real <c>git daemon</c> on 127.0.0.1 exporting a directory of bare repositories read-only; stopped on dispose.</summary>
public sealed class GitDaemon : IAsyncDisposable
{
    private readonly Process _process;
    // A folder the daemon made for itself (ServeAsync), deleted with it; null when it serves the caller's.
    private readonly string? _ownedRoot;

    private GitDaemon(Process process, int port, string? ownedRoot)
    {
        _process = process;
        Port = port;
        _ownedRoot = ownedRoot;
    }

    public int Port { get; }

    /// <summary>The git:// URL of <paramref name="fullName"/> (owner/name, or a bare name) under the exported directory.</summary>
    public Uri UrlOf(string fullName) => new($"git://127.0.0.1:{Port}/{fullName}.git");

    /// <summary>Serves every bare repository under <paramref name="basePath"/> (e.g. a GitHub test server's repositories).</summary>
    public static Task<GitDaemon> StartAsync(string basePath) => StartAsync(basePath, ownedRoot: null);

    /// <summary>Commits <paramref name="files"/> to a new repository <c>repo</c> and serves it; returns the daemon and the commit.</summary>
    public static async Task<(GitDaemon Daemon, string Commit)> ServeAsync(IReadOnlyDictionary<string, string> files)
    {
        ArgumentNullException.ThrowIfNull(files);
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
        return (await StartAsync(root, ownedRoot: root), commit);
    }

    private static async Task<GitDaemon> StartAsync(string basePath, string? ownedRoot)
    {
        var port = FreePort.Next();
        var psi = new ProcessStartInfo("git") { RedirectStandardInput = true, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in new[] { "daemon", "--reuseaddr", "--export-all", "--listen=127.0.0.1", $"--port={port}", $"--base-path={basePath}", basePath })
        {
            psi.ArgumentList.Add(a);
        }
        // The machine's git configuration must not change what the daemon serves.
        psi.Environment["GIT_CONFIG_NOSYSTEM"] = "1";
        psi.Environment["GIT_CONFIG_GLOBAL"] = "/dev/null";
        var process = Process.Start(psi) ?? throw new InvalidOperationException("could not start git daemon");
        process.StandardInput.Close();
        var daemon = new GitDaemon(process, port, ownedRoot);
        try
        {
            await Eventually.WaitAsync(daemon.ListensAsync, TimeSpan.FromSeconds(10), $"git daemon to listen on 127.0.0.1:{port}");
        }
        catch
        {
            await daemon.DisposeAsync();
            throw;
        }
        return daemon;
    }

    private async Task<bool> ListensAsync()
    {
        if (_process.HasExited)
        {
            throw new InvalidOperationException($"git daemon exited with {_process.ExitCode}: {await _process.StandardError.ReadToEndAsync()}");
        }
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(System.Net.IPAddress.Loopback, Port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
        if (_ownedRoot is not null)
        {
            Directory.Delete(_ownedRoot, recursive: true);
        }
    }
}
