using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace ImageBuilder.Operator.Tests.Integration.Evidence;

/// <summary>
/// A loopback TCP forwarder in front of a shared service, so a test can take "the service" down for its own operator
/// (refusing and cutting connections) without touching the service everyone else uses.
/// </summary>
public sealed class TcpProxy : IAsyncDisposable
{
    private readonly int _target;
    private readonly ConcurrentDictionary<TcpClient, bool> _connections = new();
    private TcpListener? _listener;
    private CancellationTokenSource? _accepting;

    private TcpProxy(int target, int port)
    {
        _target = target;
        Port = port;
    }

    public int Port { get; }

    public static TcpProxy Start(int targetPort)
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        var proxy = new TcpProxy(targetPort, port);
        proxy.Resume();
        return proxy;
    }

    /// <summary>Listens again on the same port.</summary>
    public void Resume()
    {
        var listener = new TcpListener(IPAddress.Loopback, Port);
        listener.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        listener.Start();
        _listener = listener;
        _accepting = new CancellationTokenSource();
        _ = AcceptAsync(listener, _accepting.Token);
    }

    /// <summary>Stops listening and cuts every open connection, as a crashed service would.</summary>
    public async Task DownAsync()
    {
        if (_accepting is not null)
        {
            await _accepting.CancelAsync();
            _accepting.Dispose();
            _accepting = null;
        }
        _listener?.Stop();
        _listener = null;
        foreach (var connection in _connections.Keys)
        {
            Cut(connection);
        }
        _connections.Clear();
    }

    /// <summary>Closes with a reset (linger 0), as a crashed peer does; the forwarder may be closing it at the same time.</summary>
    private static void Cut(TcpClient connection)
    {
        try
        {
            if (connection.Client is { } socket)
            {
                socket.LingerState = new LingerOption(true, 0);
            }
        }
        catch (Exception e) when (e is ObjectDisposedException or SocketException)
        {
            // Already closed by the forwarder.
        }
        connection.Dispose();
    }

    public async ValueTask DisposeAsync() => await DownAsync();

    private async Task AcceptAsync(TcpListener listener, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await listener.AcceptTcpClientAsync(cancellationToken);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }
            _ = ForwardAsync(client, cancellationToken);
        }
    }

    private async Task ForwardAsync(TcpClient client, CancellationToken cancellationToken)
    {
        var upstream = new TcpClient();
        _connections[client] = true;
        _connections[upstream] = true;
        try
        {
            await upstream.ConnectAsync(IPAddress.Loopback, _target, cancellationToken);
            var a = client.GetStream();
            var b = upstream.GetStream();
            await Task.WhenAny(a.CopyToAsync(b, cancellationToken), b.CopyToAsync(a, cancellationToken));
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // A cut connection is what this proxy is for.
        }
        finally
        {
            _connections.TryRemove(client, out _);
            _connections.TryRemove(upstream, out _);
            client.Dispose();
            upstream.Dispose();
        }
    }
}
