using System.Formats.Tar;
using System.IO.Compression;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace ImageBuilder.Operator.Tests.Integration.Builds;

/// <summary>
/// Serves source tarballs on 127.0.0.1 the way GitHub's tarball endpoint does: one top-level
/// directory, and <c>Authorization: token …</c> required. Host-network pods reach it on loopback.
/// </summary>
internal sealed class ArchiveServer : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Dictionary<string, byte[]> _archives = new(StringComparer.Ordinal);
    private readonly string _token;
    private readonly Task _loop;

    public ArchiveServer(string token)
    {
        _token = token;
        Port = FreePort();
        _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        _listener.Start();
        _loop = Task.Run(ServeAsync);
    }

    public int Port { get; }

    /// <summary>Publishes <paramref name="files"/> (path → content) as <c>/&lt;name&gt;.tar.gz</c> and returns its URL.</summary>
    public string Add(string name, IReadOnlyDictionary<string, string> files)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true))
        using (var tar = new TarWriter(gzip, TarEntryFormat.Ustar, leaveOpen: true))
        {
            tar.WriteEntry(new UstarTarEntry(TarEntryType.Directory, $"owner-{name}-abc1234/"));
            foreach (var (path, content) in files)
            {
                var entry = new UstarTarEntry(TarEntryType.RegularFile, $"owner-{name}-abc1234/{path}")
                {
                    DataStream = new MemoryStream(Encoding.UTF8.GetBytes(content)),
                    Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead,
                };
                tar.WriteEntry(entry);
            }
        }
        lock (_archives)
        {
            _archives[$"/{name}.tar.gz"] = buffer.ToArray();
        }
        return Url(name);
    }

    public string Url(string name) => $"http://127.0.0.1:{Port}/{name}.tar.gz";

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        _listener.Close();
        try
        {
            await _loop;
        }
        catch (HttpListenerException)
        {
            // Stopping the listener ends the pending GetContextAsync this way.
        }
        catch (ObjectDisposedException)
        {
            // Same, on some runtimes.
        }
    }

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            var context = await _listener.GetContextAsync();
            Respond(context);
        }
    }

    private void Respond(HttpListenerContext context)
    {
        using var response = context.Response;
        if (context.Request.Headers["Authorization"] != $"token {_token}")
        {
            response.StatusCode = 401;
            return;
        }
        byte[]? body;
        lock (_archives)
        {
            _archives.TryGetValue(context.Request.Url!.AbsolutePath, out body);
        }
        if (body is null)
        {
            response.StatusCode = 404;
            return;
        }
        response.ContentType = "application/x-gzip";
        response.ContentLength64 = body.Length;
        response.OutputStream.Write(body);
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }
}
