using System.Net;
using System.Net.Sockets;

namespace ImageBuilder.Testing;

/// <summary>A port on 127.0.0.1 that nothing listens on now, for a server that must be told its port before it starts.</summary>
public static class FreePort
{
    /// <summary>
    /// Asks the kernel for an unused port and releases it. Another process could take it before the caller
    /// binds; loopback ports are plentiful and the kernel hands them out in turn, so that race is not seen here.
    /// </summary>
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
