using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace ImageBuilder.Operator.Tests.GitHubServer;

/// <summary>A real <c>git daemon</c> on 127.0.0.1 exporting a directory of bare repositories read-only.</summary>
public sealed class GitDaemon : IAsyncDisposable
{
    private readonly Process _process;

    private GitDaemon(Process process, int port)
    {
        _process = process;
        Port = port;
    }

    public int Port { get; }

    /// <summary>The git:// URL of <paramref name="fullName"/> (owner/name) under the exported directory.</summary>
    public Uri UrlOf(string fullName) => new($"git://127.0.0.1:{Port}/{fullName}.git");

    public static async Task<GitDaemon> StartAsync(string basePath)
    {
        var port = FreePort();
        var process = Process.Start(GitCli.StartInfo(null,
            ["daemon", "--reuseaddr", "--export-all", "--listen=127.0.0.1", $"--port={port}", $"--base-path={basePath}", basePath]))!;
        process.StandardInput.Close();
        var daemon = new GitDaemon(process, port);
        await daemon.WaitUntilListeningAsync();
        return daemon;
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private async Task WaitUntilListeningAsync()
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (true)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"git daemon exited with {_process.ExitCode}: {await _process.StandardError.ReadToEndAsync()}");
            }
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, Port, deadline.Token);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(20, deadline.Token);
            }
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
    }
}
