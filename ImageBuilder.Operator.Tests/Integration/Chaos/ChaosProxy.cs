using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace ImageBuilder.Operator.Tests.Integration.Chaos;

/// <summary>
/// A TCP proxy on 127.0.0.1 between the operators and RabbitMQ that the soak can cut: every open connection is
/// reset (RST, no AMQP close) in both directions at once, as a NAT timeout or a broken link does, while the broker
/// itself stays up and the listener keeps accepting, so only the operators' recovery is on trial.
/// </summary>
public sealed class ChaosProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly IPEndPoint _upstream;
    private readonly ConcurrentDictionary<long, (TcpClient Down, TcpClient Up)> _pairs = new();
    private readonly CancellationTokenSource _stop = new();
    private Task _accepting = Task.CompletedTask;
    private long _next;

    private ChaosProxy(IPEndPoint upstream) => _upstream = upstream;

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>Connections accepted so far (each reconnect of an operator is one).</summary>
    public long Accepted => Interlocked.Read(ref _next);

    public int Open => _pairs.Count;

    public static ChaosProxy Start(int upstreamPort)
    {
        var proxy = new ChaosProxy(new IPEndPoint(IPAddress.Loopback, upstreamPort));
        proxy._listener.Start();
        proxy._accepting = proxy.AcceptAsync();
        return proxy;
    }

    /// <summary>Resets every open connection; returns how many were cut.</summary>
    public int CutAll()
    {
        var cut = 0;
        foreach (var id in _pairs.Keys)
        {
            if (_pairs.TryRemove(id, out var pair))
            {
                Reset(pair.Down);
                Reset(pair.Up);
                cut++;
            }
        }
        return cut;
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient down;
            try
            {
                down = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }
            _ = PipeAsync(down);
        }
    }

    private async Task PipeAsync(TcpClient down)
    {
        var id = Interlocked.Increment(ref _next);
        var up = new TcpClient();
        try
        {
            await up.ConnectAsync(_upstream, _stop.Token);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            // The broker is down (a restart in progress): the operator sees a refused connection and retries.
            Reset(down);
            up.Dispose();
            return;
        }
        _pairs[id] = (down, up);
        try
        {
            var a = CopyAsync(down, up);
            var b = CopyAsync(up, down);
            await Task.WhenAny(a, b);
        }
        finally
        {
            // One side ended: end the other, so a broker-side close reaches the operator and vice versa.
            if (_pairs.TryRemove(id, out _))
            {
                down.Dispose();
                up.Dispose();
            }
        }
    }

    private async Task CopyAsync(TcpClient from, TcpClient to)
    {
        try
        {
            await from.GetStream().CopyToAsync(to.GetStream(), _stop.Token);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or OperationCanceledException or SocketException or InvalidOperationException)
        {
            // Cut, reset or closed: the pair is torn down by the caller.
        }
    }

    private static void Reset(TcpClient client)
    {
        try
        {
            // Linger 0: close sends RST at once instead of a FIN after the unsent data.
            client.Client.LingerState = new LingerOption(true, 0);
            client.Client.Close();
        }
        catch (Exception e) when (e is ObjectDisposedException or SocketException)
        {
            // Already closed.
        }
        client.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        CutAll();
        await _accepting;
        _stop.Dispose();
    }
}
