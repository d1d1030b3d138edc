using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace ImageBuilder.GitHubServer;

/// <summary>Response bodies shaped like GitHub's REST API v3 (snake_case, the fields Octokit reads).</summary>
internal static class GitHubJson
{
    public static readonly JsonSerializerOptions Options = new() { PropertyNamingPolicy = null };

    public static IResult Result(object body, int status = 200) => Results.Json(body, Options, statusCode: status);

    public static IResult Error(int status, string message, string documentation = "https://docs.github.com/rest") =>
        Result(new Dictionary<string, object> { ["message"] = message, ["documentation_url"] = documentation, ["status"] = status.ToString(CultureInfo.InvariantCulture) }, status);

    public static IResult NotFound() => Error(404, "Not Found");

    public static Dictionary<string, object?> Repository(GitHubTestServer server, TestRepository repository)
    {
        var api = new Uri(server.ApiUrl, $"repos/{repository.FullName}").AbsoluteUri;
        var html = new Uri(server.BaseUrl, repository.FullName).AbsoluteUri;
        return new()
        {
            ["id"] = repository.Id,
            ["node_id"] = "R_" + repository.Id.ToString(CultureInfo.InvariantCulture),
            ["name"] = repository.Name,
            ["full_name"] = repository.FullName,
            ["private"] = repository.IsPrivate,
            ["visibility"] = repository.IsPrivate ? "private" : "public",
            ["owner"] = Owner(server, repository.Owner),
            ["html_url"] = html,
            ["url"] = api,
            ["clone_url"] = html + ".git",
            ["git_url"] = $"git://{server.BaseUrl.Authority}/{repository.FullName}.git",
            ["ssh_url"] = $"git@{server.BaseUrl.Host}:{repository.FullName}.git",
            ["default_branch"] = repository.DefaultBranch,
            ["archived"] = false,
            ["disabled"] = false,
            ["fork"] = false,
            ["size"] = 1,
            ["created_at"] = Date(repository.CreatedAt),
            ["updated_at"] = Date(repository.CreatedAt),
            ["pushed_at"] = Date(repository.CreatedAt),
            ["permissions"] = new Dictionary<string, bool> { ["admin"] = false, ["push"] = false, ["pull"] = true },
        };
    }

    public static Dictionary<string, object?> Branch(GitHubTestServer server, TestRepository repository, string name, string sha) => new()
    {
        ["name"] = name,
        ["commit"] = new Dictionary<string, object> { ["sha"] = sha, ["url"] = CommitUrl(server, repository, sha) },
        ["protected"] = false,
    };

    public static Dictionary<string, object?> Reference(GitHubTestServer server, TestRepository repository, string fullRef, string type, string sha) => new()
    {
        ["ref"] = fullRef,
        ["node_id"] = "REF_" + sha[..12],
        ["url"] = new Uri(server.ApiUrl, $"repos/{repository.FullName}/git/{fullRef}").AbsoluteUri,
        ["object"] = new Dictionary<string, object> { ["type"] = type, ["sha"] = sha, ["url"] = new Uri(server.ApiUrl, $"repos/{repository.FullName}/git/{type}s/{sha}").AbsoluteUri },
    };

    public static Dictionary<string, object?> Commit(GitHubTestServer server, TestRepository repository, CommitInfo commit) => new()
    {
        ["sha"] = commit.Sha,
        ["node_id"] = "C_" + commit.Sha[..12],
        ["url"] = CommitUrl(server, repository, commit.Sha),
        ["html_url"] = new Uri(server.BaseUrl, $"{repository.FullName}/commit/{commit.Sha}").AbsoluteUri,
        ["commit"] = new Dictionary<string, object?>
        {
            ["message"] = commit.Message,
            ["author"] = Person(commit.AuthorName, commit.AuthorEmail, commit.AuthorDate),
            ["committer"] = Person(commit.CommitterName, commit.CommitterEmail, commit.CommitterDate),
            ["tree"] = new Dictionary<string, object> { ["sha"] = commit.Tree, ["url"] = new Uri(server.ApiUrl, $"repos/{repository.FullName}/git/trees/{commit.Tree}").AbsoluteUri },
            ["comment_count"] = 0,
        },
        ["author"] = null,
        ["committer"] = null,
        ["parents"] = commit.Parents.Select(p => new Dictionary<string, object> { ["sha"] = p, ["url"] = CommitUrl(server, repository, p) }).ToList(),
        ["files"] = Array.Empty<object>(),
    };

    public static Dictionary<string, object?> Tag(string sha, string name, string message, string targetType, string targetSha) => new()
    {
        ["sha"] = sha,
        ["node_id"] = "TAG_" + sha[..12],
        ["tag"] = name,
        ["message"] = message,
        ["object"] = new Dictionary<string, object> { ["type"] = targetType, ["sha"] = targetSha },
    };

    public static Dictionary<string, object?> Release(GitHubTestServer server, TestRepository repository, TestRelease release) => new()
    {
        ["id"] = release.Id,
        ["node_id"] = "RE_" + release.Id.ToString(CultureInfo.InvariantCulture),
        ["tag_name"] = release.TagName,
        ["target_commitish"] = release.TargetCommitish,
        ["name"] = release.Name,
        ["body"] = "",
        ["draft"] = false,
        ["prerelease"] = false,
        ["created_at"] = Date(release.CreatedAt),
        ["published_at"] = Date(release.CreatedAt),
        ["url"] = new Uri(server.ApiUrl, $"repos/{repository.FullName}/releases/{release.Id}").AbsoluteUri,
        ["html_url"] = new Uri(server.BaseUrl, $"{repository.FullName}/releases/tag/{release.TagName}").AbsoluteUri,
        ["tarball_url"] = new Uri(server.ApiUrl, $"repos/{repository.FullName}/tarball/{release.TagName}").AbsoluteUri,
        ["zipball_url"] = new Uri(server.ApiUrl, $"repos/{repository.FullName}/zipball/{release.TagName}").AbsoluteUri,
        ["author"] = Owner(server, repository.Owner),
        ["assets"] = Array.Empty<object>(),
    };

    private static Dictionary<string, object> Owner(GitHubTestServer server, string login) => new()
    {
        ["login"] = login,
        ["id"] = Math.Abs(login.GetHashCode(StringComparison.Ordinal) % 100000),
        ["type"] = "User",
        ["url"] = new Uri(server.ApiUrl, "users/" + login).AbsoluteUri,
        ["html_url"] = new Uri(server.BaseUrl, login).AbsoluteUri,
        ["site_admin"] = false,
    };

    private static Dictionary<string, object> Person(string name, string email, string date) => new() { ["name"] = name, ["email"] = email, ["date"] = date };

    private static string CommitUrl(GitHubTestServer server, TestRepository repository, string sha) =>
        new Uri(server.ApiUrl, $"repos/{repository.FullName}/commits/{sha}").AbsoluteUri;

    private static string Date(DateTimeOffset value) => value.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
}
