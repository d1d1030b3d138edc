using System.Diagnostics;
using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace ImageBuilder.GitHubServer;

/// <summary>The REST endpoints, mounted under <c>/api/v3</c> (GitHub Enterprise style, where Octokit goes for any host but github.com) and under <c>/</c>.</summary>
internal static class GitHubApiEndpoints
{
    private const string ShaMediaType = "application/vnd.github.sha";
    private const string ShaMediaTypeV3 = "application/vnd.github.v3.sha";

    public static void Map(WebApplication app, GitHubTestServer server)
    {
        app.Use(async (context, next) =>
        {
            AddRateLimitHeaders(context.Response, server, remaining: 4999);
            await next(context);
        });
        foreach (var prefix in new[] { "/api/v3", "" })
        {
            var api = app.MapGroup(prefix);
            api.MapGet("/rate_limit", () => GitHubJson.Result(new Dictionary<string, object>
            {
                ["resources"] = new Dictionary<string, object> { ["core"] = new Dictionary<string, object> { ["limit"] = 5000, ["remaining"] = 4999, ["used"] = 1 } },
            }));
            var repos = api.MapGroup("/repos/{owner}/{name}");
            repos.MapGet("", (HttpContext c, string owner, string name) => WithRepository(c, server, owner, name,
                r => Task.FromResult(GitHubJson.Result(GitHubJson.Repository(server, r)))));
            repos.MapGet("/branches/{**branch}", (HttpContext c, string owner, string name, string branch) => WithRepository(c, server, owner, name,
                r => BranchAsync(server, r, branch)));
            repos.MapGet("/commits/{**reference}", (HttpContext c, string owner, string name, string reference) => WithRepository(c, server, owner, name,
                r => CommitAsync(c, server, r, reference)));
            repos.MapGet("/git/refs/{**reference}", (HttpContext c, string owner, string name, string reference) => WithRepository(c, server, owner, name,
                r => ReferenceAsync(server, r, reference)));
            repos.MapGet("/git/ref/{**reference}", (HttpContext c, string owner, string name, string reference) => WithRepository(c, server, owner, name,
                r => ReferenceAsync(server, r, reference)));
            repos.MapGet("/git/tags/{sha}", (HttpContext c, string owner, string name, string sha) => WithRepository(c, server, owner, name,
                r => TagObjectAsync(r, sha)));
            repos.MapGet("/releases/tags/{**tag}", (HttpContext c, string owner, string name, string tag) => WithRepository(c, server, owner, name,
                r => Task.FromResult(Release(server, r, tag))));
            repos.MapGet("/tarball/{**reference}", (HttpContext c, string owner, string name, string? reference) => WithRepository(c, server, owner, name,
                r => TarballAsync(c, r, reference)));
            repos.MapGet("/tarball", (HttpContext c, string owner, string name) => WithRepository(c, server, owner, name,
                r => TarballAsync(c, r, null)));
        }
    }

    /// <summary>Runs <paramref name="handler"/> after what GitHub checks first: injected faults, then the token, then visibility.</summary>
    public static async Task<IResult> WithRepository(HttpContext context, GitHubTestServer server, string owner, string name, Func<TestRepository, Task<IResult>> handler)
    {
        var (present, token) = RequestToken.From(context.Request);
        var badCredentials = present && (token is null || !server.IsKnownToken(token));
        var repository = server.Find(owner, name);
        if (repository?.TakeFault(context.Request.Path.Value ?? "") is { } fault)
        {
            return await FaultAsync(context, server, fault);
        }
        if (badCredentials)
        {
            return GitHubJson.Error(401, "Bad credentials");
        }
        // GitHub hides private repositories from those who may not read them: 404, not 403.
        return repository is null || !repository.Allows(token) ? GitHubJson.NotFound() : await handler(repository);
    }

    public static async Task<IResult> FaultAsync(HttpContext context, GitHubTestServer server, FaultKind fault)
    {
        switch (fault)
        {
            case FaultKind.InternalServerError:
                return GitHubJson.Error(500, "Server Error");
            case FaultKind.ServiceUnavailable:
                return GitHubJson.Error(503, "Service Unavailable");
            case FaultKind.RateLimited:
                AddRateLimitHeaders(context.Response, server, remaining: 0);
                return GitHubJson.Error(403, "API rate limit exceeded for user ID 1. If you reach out to GitHub Support for help, please include the request ID.",
                    "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api");
            default:
                using (var hang = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, server.Stopping))
                {
                    await Task.Delay(Timeout.Infinite, hang.Token).ContinueWith(_ => { }, TaskScheduler.Default);
                }
                return GitHubJson.Error(503, "Service Unavailable");
        }
    }

    private static void AddRateLimitHeaders(HttpResponse response, GitHubTestServer server, int remaining)
    {
        var reset = server.Time.GetUtcNow().AddHours(1).ToUnixTimeSeconds();
        response.Headers["X-RateLimit-Limit"] = "5000";
        response.Headers["X-RateLimit-Remaining"] = remaining.ToString(CultureInfo.InvariantCulture);
        response.Headers["X-RateLimit-Used"] = (5000 - remaining).ToString(CultureInfo.InvariantCulture);
        response.Headers["X-RateLimit-Reset"] = reset.ToString(CultureInfo.InvariantCulture);
        response.Headers["X-RateLimit-Resource"] = "core";
        response.Headers["X-GitHub-Media-Type"] = "github.v3; format=json";
    }

    private static async Task<IResult> BranchAsync(GitHubTestServer server, TestRepository repository, string branch)
    {
        var sha = await GitHubTestServer.RevParseAsync(repository, "refs/heads/" + branch);
        return sha is null || branch.StartsWith('-')
            ? GitHubJson.Error(404, "Branch not found", "https://docs.github.com/rest/branches/branches#get-a-branch")
            : GitHubJson.Result(GitHubJson.Branch(server, repository, branch, sha));
    }

    private static async Task<IResult> CommitAsync(HttpContext context, GitHubTestServer server, TestRepository repository, string reference)
    {
        var sha = await GitHubTestServer.ResolveCommitAsync(repository, reference);
        if (sha is null)
        {
            return GitHubJson.Error(422, $"No commit found for SHA: {reference}", "https://docs.github.com/rest/commits/commits#get-a-commit");
        }
        var accept = context.Request.Headers.Accept.ToString();
        // application/vnd.github.sha, its v3 form, and the preview form Octokit's GetSha1 still sends (…chitauri-preview+sha).
        if (accept.Contains(ShaMediaType, StringComparison.OrdinalIgnoreCase) || accept.Contains(ShaMediaTypeV3, StringComparison.OrdinalIgnoreCase)
            || accept.Contains("+sha", StringComparison.OrdinalIgnoreCase))
        {
            return Results.Text(sha, ShaMediaType + "; charset=utf-8");
        }
        return GitHubJson.Result(GitHubJson.Commit(server, repository, await CommitInfo.ReadAsync(repository, sha)));
    }

    /// <summary>Exact refs only (<c>heads/x</c>, <c>tags/x</c>): GitHub's prefix matching is not needed by the operator.</summary>
    private static async Task<IResult> ReferenceAsync(GitHubTestServer server, TestRepository repository, string reference)
    {
        var fullRef = reference.StartsWith("refs/", StringComparison.Ordinal) ? reference : "refs/" + reference;
        if (fullRef.Contains("..", StringComparison.Ordinal) || fullRef.Any(char.IsControl))
        {
            return GitHubJson.NotFound();
        }
        var (exit, output, _) = await GitCli.TryRunAsync(repository.GitDirectory, ["for-each-ref", "--format=%(objectname) %(objecttype)", fullRef]);
        var line = exit == 0 ? output.Split('\n', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault() : null;
        if (line is null)
        {
            return GitHubJson.NotFound();
        }
        var parts = line.Split(' ');
        return GitHubJson.Result(GitHubJson.Reference(server, repository, fullRef, parts[1], parts[0]));
    }

    private static async Task<IResult> TagObjectAsync(TestRepository repository, string sha)
    {
        if (!sha.All(Uri.IsHexDigit))
        {
            return GitHubJson.NotFound();
        }
        var (exit, output, _) = await GitCli.TryRunAsync(repository.GitDirectory, ["for-each-ref", "--format=%(objectname)%00%(tag)%00%(*objecttype)%00%(*objectname)%00%(contents)", "refs/tags/"]);
        var tag = exit == 0 ? output.Split('\n').Select(l => l.Split('\0')).FirstOrDefault(f => f.Length >= 5 && f[0] == sha && f[1].Length > 0) : null;
        return tag is null ? GitHubJson.NotFound() : GitHubJson.Result(GitHubJson.Tag(sha, tag[1], tag[4], tag[2], tag[3]));
    }

    private static IResult Release(GitHubTestServer server, TestRepository repository, string tag)
    {
        var release = repository.Releases.LastOrDefault(r => r.TagName == tag);
        return release is null ? GitHubJson.NotFound() : GitHubJson.Result(GitHubJson.Release(server, repository, release));
    }

    /// <summary>Like GitHub's tarball (which codeload serves): a gzip tar whose single top directory is <c>owner-repo-sha7</c>.</summary>
    private static async Task<IResult> TarballAsync(HttpContext context, TestRepository repository, string? reference)
    {
        var sha = await GitHubTestServer.ResolveCommitAsync(repository, string.IsNullOrEmpty(reference) ? "heads/" + repository.DefaultBranch : reference);
        if (sha is null)
        {
            return GitHubJson.NotFound();
        }
        var top = $"{repository.Owner}-{repository.Name}-{sha[..7]}";
        context.Response.ContentType = "application/x-gzip";
        context.Response.Headers.ContentDisposition = $"attachment; filename={top}.tar.gz";
        using var process = Process.Start(GitCli.StartInfo(repository.GitDirectory, ["archive", "--format=tar.gz", $"--prefix={top}/", sha]))!;
        process.StandardInput.Close();
        var errors = process.StandardError.ReadToEndAsync();
        await process.StandardOutput.BaseStream.CopyToAsync(context.Response.Body, context.RequestAborted);
        await process.WaitForExitAsync();
        await errors;
        return Results.Empty;
    }
}
