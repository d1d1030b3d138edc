using System.Diagnostics;
using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace ImageBuilder.GitHubServer;

/// <summary>
/// Git smart HTTP (<c>/owner/name.git/info/refs</c>, <c>git-upload-pack</c>) through the real <c>git http-backend</c> CGI,
/// read-only, with the same token rules as the API: git sends the token as a Basic password or an extra header.
/// </summary>
internal static class GitSmartHttp
{
    public static void Map(WebApplication app, GitHubTestServer server)
    {
        app.MapGet("/{owner}/{name}.git/info/refs", (HttpContext c, string owner, string name) => ServeAsync(c, server, owner, name, "/info/refs"));
        app.MapPost("/{owner}/{name}.git/git-upload-pack", (HttpContext c, string owner, string name) => ServeAsync(c, server, owner, name, "/git-upload-pack"));
    }

    private static async Task<IResult> ServeAsync(HttpContext context, GitHubTestServer server, string owner, string name, string path)
    {
        if (path == "/info/refs" && context.Request.Query["service"] != "git-upload-pack")
        {
            return Results.StatusCode(403);
        }
        var (present, token) = RequestToken.From(context.Request);
        var repository = server.Find(owner, name);
        if (repository?.TakeFault(context.Request.Path.Value ?? "") is { } fault)
        {
            return await GitHubApiEndpoints.FaultAsync(context, server, fault);
        }
        // As GitHub does: no or bad credentials ask for (other) credentials; a valid token without access finds nothing.
        if (!present || token is null || !server.IsKnownToken(token))
        {
            if (repository is not null && !repository.IsPrivate && !present)
            {
                await RunBackendAsync(context, server, $"/{repository.Owner}/{repository.Name}.git{path}");
                return Results.Empty;
            }
            context.Response.Headers.WWWAuthenticate = "Basic realm=\"GitHub\"";
            return Results.Text(present ? "Invalid username or token." : "", statusCode: 401);
        }
        if (repository is null || !repository.Allows(token))
        {
            return Results.Text("Repository not found.", statusCode: 404);
        }
        await RunBackendAsync(context, server, $"/{repository.Owner}/{repository.Name}.git{path}");
        return Results.Empty;
    }

    private static async Task RunBackendAsync(HttpContext context, GitHubTestServer server, string pathInfo)
    {
        var request = context.Request;
        var environment = GitCli.BaseEnvironment();
        environment["GIT_PROJECT_ROOT"] = server.RepositoriesDirectory;
        environment["GIT_HTTP_EXPORT_ALL"] = "1";
        environment["GATEWAY_INTERFACE"] = "CGI/1.1";
        environment["REQUEST_METHOD"] = request.Method;
        environment["PATH_INFO"] = pathInfo;
        environment["QUERY_STRING"] = request.QueryString.HasValue ? request.QueryString.Value![1..] : "";
        environment["CONTENT_TYPE"] = request.ContentType ?? "";
        environment["REMOTE_ADDR"] = "127.0.0.1";
        environment["SERVER_PROTOCOL"] = "HTTP/1.1";
        environment["HTTP_CONTENT_ENCODING"] = request.Headers.ContentEncoding.ToString();
        environment["GIT_PROTOCOL"] = request.Headers["Git-Protocol"].ToString();
        if (request.ContentLength is { } length)
        {
            environment["CONTENT_LENGTH"] = length.ToString(CultureInfo.InvariantCulture);
        }
        using var process = Process.Start(GitCli.StartInfo(null, ["http-backend"], environment))!;
        var feed = FeedAsync(request.Body, process.StandardInput.BaseStream, context.RequestAborted);
        var errors = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.BaseStream;
        await CopyHeadersAsync(output, context.Response);
        await output.CopyToAsync(context.Response.Body, context.RequestAborted);
        await feed;
        await process.WaitForExitAsync();
        await errors;
    }

    private static async Task FeedAsync(Stream body, Stream stdin, CancellationToken cancellationToken)
    {
        await using (stdin)
        {
            await body.CopyToAsync(stdin, cancellationToken);
        }
    }

    /// <summary>Reads CGI headers up to the blank line; <c>Status:</c> sets the status code.</summary>
    private static async Task CopyHeadersAsync(Stream output, HttpResponse response)
    {
        while (await ReadLineAsync(output) is { Length: > 0 } line)
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                continue;
            }
            var key = line[..colon].Trim();
            var value = line[(colon + 1)..].Trim();
            if (key.Equals("Status", StringComparison.OrdinalIgnoreCase))
            {
                response.StatusCode = int.Parse(value.Split(' ')[0], CultureInfo.InvariantCulture);
            }
            else
            {
                response.Headers[key] = value;
            }
        }
    }

    private static async Task<string> ReadLineAsync(Stream stream)
    {
        var bytes = new List<byte>();
        var one = new byte[1];
        while (await stream.ReadAsync(one) == 1 && one[0] != '\n')
        {
            bytes.Add(one[0]);
        }
        return System.Text.Encoding.ASCII.GetString([.. bytes]).TrimEnd('\r');
    }
}
