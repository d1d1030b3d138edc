using System.Formats.Tar;
using System.IO.Compression;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ImageBuilder.Operator.Tests.Integration.Builds;

/// <summary>
/// Serves source tarballs on 127.0.0.1 the way GitHub's tarball endpoint does: one top-level
/// directory, and <c>Authorization: token …</c> required. Host-network pods reach it on loopback.
/// Kestrel on port 0, so there is no race for a free port.
/// </summary>
internal sealed class ArchiveServer : IAsyncDisposable
{
    private readonly Dictionary<string, byte[]> _archives = new(StringComparer.Ordinal);
    private readonly string _token;
    private readonly WebApplication _app;

    private ArchiveServer(string token)
    {
        _token = token;
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        builder.Logging.ClearProviders();
        _app = builder.Build();
        _app.Run(RespondAsync);
    }

    public int Port { get; private set; }

    public static async Task<ArchiveServer> StartAsync(string token)
    {
        var server = new ArchiveServer(token);
        await server._app.StartAsync();
        var address = server._app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.Port = new Uri(address).Port;
        return server;
    }

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

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();

    private async Task RespondAsync(HttpContext context)
    {
        if (context.Request.Headers.Authorization != $"token {_token}")
        {
            context.Response.StatusCode = 401;
            return;
        }
        byte[]? body;
        lock (_archives)
        {
            _archives.TryGetValue(context.Request.Path.Value ?? "", out body);
        }
        if (body is null)
        {
            context.Response.StatusCode = 404;
            return;
        }
        context.Response.ContentType = "application/x-gzip";
        context.Response.ContentLength = body.Length;
        await context.Response.Body.WriteAsync(body);
    }
}
