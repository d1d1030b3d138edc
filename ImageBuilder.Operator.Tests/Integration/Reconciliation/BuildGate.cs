using System.Net;
using System.Net.Sockets;
using System.Text;

namespace ImageBuilder.Operator.Tests.Integration.Reconciliation;

/// <summary>
/// An HTTP endpoint on loopback that a build's RUN step polls (build pods and their RUN steps share the node's network
/// here): 404 until <see cref="Open"/>, then 200. It lets a test decide when a build finishes, instead of racing a sleep.
/// </summary>
public sealed class BuildGate : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private volatile bool _open;
    private int _polls;

    public BuildGate()
    {
        _listener.Start();
        _loop = ServeAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>How often a build asked: proof that the build really waited here.</summary>
    public int Polls => Volatile.Read(ref _polls);

    public void Open() => _open = true;

    /// <summary>A Dockerfile on the local busybox whose RUN waits for the gate (at most two minutes), then prints <paramref name="marker"/>.</summary>
    public Dictionary<string, string> WaitingApp(string marker) => new(StringComparer.Ordinal)
    {
        ["Dockerfile"] = $"FROM {SampleApps.BaseImage}\n"
            + $"RUN i=0; until wget -q -O /dev/null http://127.0.0.1:{Port}/go || [ $i -ge 600 ]; do i=$((i+1)); sleep 0.2; done; echo \"{marker}\"\n",
    };

    private async Task ServeAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            using (client)
            {
                Interlocked.Increment(ref _polls);
                var stream = client.GetStream();
                var buffer = new byte[1024];
                try
                {
                    _ = await stream.ReadAsync(buffer, _stop.Token);
                    var status = _open ? "200 OK" : "404 Not Found";
                    await stream.WriteAsync(Encoding.ASCII.GetBytes($"HTTP/1.1 {status}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"), _stop.Token);
                }
                catch (IOException)
                {
                    // The poller gave up on this attempt; it polls again.
                }
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _loop;
        }
        catch (OperationCanceledException)
        {
            // Stopped.
        }
        _stop.Dispose();
    }
}
