using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ImageBuilder.GitHubServer;

/// <summary>
/// A GitHub-API-compatible server on 127.0.0.1 serving real git content from bare repositories made with the git CLI.
/// It answers what Octokit asks when resolving sources (under <c>/api/v3/</c>, as GitHub Enterprise does, and under <c>/</c>),
/// tarballs like GitHub's, and git smart HTTP; tokens are enforced and faults can be injected per repository.
/// </summary>
public sealed class GitHubTestServer : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, TestRepository> _repositories = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, bool> _tokens = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _writes = new(1, 1);
    private readonly bool _ownsDirectory;
    private WebApplication? _app;
    private long _nextId = 1000;

    private GitHubTestServer(string dataDirectory, bool ownsDirectory)
    {
        DataDirectory = dataDirectory;
        _ownsDirectory = ownsDirectory;
    }

    /// <summary>The server root, e.g. <c>http://127.0.0.1:41234/</c>: give it as the operator's <c>GitHub:ApiUrl</c>.</summary>
    public Uri BaseUrl { get; private set; } = null!;

    /// <summary>Where Octokit sends API calls for <see cref="BaseUrl"/> (it appends <c>api/v3/</c> for non-github.com hosts).</summary>
    public Uri ApiUrl => new(BaseUrl, "api/v3/");

    public string DataDirectory { get; }

    /// <summary>Holds <c>owner/name.git</c> bare repositories; also the root <c>git http-backend</c> and <c>git daemon</c> serve.</summary>
    public string RepositoriesDirectory => Path.Combine(DataDirectory, "repos");

    internal TimeProvider Time { get; } = TimeProvider.System;

    internal CancellationToken Stopping => _app?.Lifetime.ApplicationStopping ?? CancellationToken.None;

    /// <summary>Starts on 127.0.0.1:<paramref name="port"/> (0 picks a free port), keeping repositories under <paramref name="dataDirectory"/> (a temp dir when null).</summary>
    public static async Task<GitHubTestServer> StartAsync(int port = 0, string? dataDirectory = null, Action<ILoggingBuilder>? logging = null)
    {
        var owns = dataDirectory is null;
        var directory = dataDirectory ?? Path.Combine(Path.GetTempPath(), "ib-github-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(Path.Combine(directory, "repos"));
        var server = new GitHubTestServer(Path.GetFullPath(directory), owns);
        await server.StartWebAsync(port, logging);
        return server;
    }

    private async Task StartWebAsync(int port, Action<ILoggingBuilder>? logging)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = DataDirectory });
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, port));
        builder.Logging.ClearProviders();
        logging?.Invoke(builder.Logging);
        _app = builder.Build();
        GitHubApiEndpoints.Map(_app, this);
        GitSmartHttp.Map(_app, this);
        await _app.StartAsync();
        var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        BaseUrl = new Uri(address.TrimEnd('/') + "/");
    }

    /// <summary>
    /// Creates <paramref name="fullName"/> (owner/name) with one commit holding <paramref name="files"/> on <paramref name="defaultBranch"/>;
    /// <paramref name="token"/>, when given, may read it.
    /// </summary>
    public async Task<TestRepository> CreateRepositoryAsync(
        string fullName, IReadOnlyDictionary<string, string> files, string? token = null, string defaultBranch = "main", bool isPrivate = true,
        DateTimeOffset? commitDate = null)
    {
        ArgumentNullException.ThrowIfNull(files);
        var (owner, name) = Split(fullName);
        var gitDirectory = Path.Combine(RepositoriesDirectory, owner, name + ".git");
        if (Directory.Exists(gitDirectory))
        {
            Directory.Delete(gitDirectory, recursive: true);
        }
        await GitCli.RunAsync(null, ["init", "--quiet", "--bare", "--initial-branch=" + defaultBranch, gitDirectory]);
        var repository = new TestRepository(Interlocked.Increment(ref _nextId), owner, name, gitDirectory, defaultBranch, isPrivate, Time.GetUtcNow());
        _repositories[repository.FullName] = repository;
        if (token is not null)
        {
            GrantToken(fullName, token);
        }
        await AddCommitAsync(fullName, files.ToDictionary(f => f.Key, string? (f) => f.Value), defaultBranch, $"Initial commit of {fullName}", commitDate);
        return repository;
    }

    /// <summary>
    /// Commits <paramref name="files"/> (a null content deletes the file) on <paramref name="branch"/> (default branch when null);
    /// returns the new SHA. A fixed <paramref name="date"/> makes the SHA reproducible.
    /// </summary>
    public async Task<string> AddCommitAsync(string fullName, IReadOnlyDictionary<string, string?> files, string? branch = null, string message = "Update", DateTimeOffset? date = null)
    {
        ArgumentNullException.ThrowIfNull(files);
        var repository = Get(fullName);
        branch ??= repository.DefaultBranch;
        await _writes.WaitAsync();
        var index = Path.Combine(DataDirectory, "index-" + Guid.NewGuid().ToString("N"));
        try
        {
            var environment = GitCli.BaseEnvironment(date ?? Time.GetUtcNow());
            environment["GIT_INDEX_FILE"] = index;
            var git = repository.GitDirectory;
            var parent = await RevParseAsync(repository, $"refs/heads/{branch}");
            await GitCli.RunAsync(git, parent is null ? ["read-tree", "--empty"] : ["read-tree", parent], environment: environment);
            var entries = new List<string>();
            foreach (var (path, content) in files)
            {
                entries.Add(content is null
                    ? $"0 {new string('0', 40)}\t{path}"
                    : $"{(path.EndsWith(".sh", StringComparison.Ordinal) ? "100755" : "100644")} {(await GitCli.RunAsync(git, ["hash-object", "-w", "--stdin"], content)).Trim()}\t{path}");
            }
            await GitCli.RunAsync(git, ["update-index", "--index-info"], string.Join('\n', entries) + "\n", environment);
            var tree = (await GitCli.RunAsync(git, ["write-tree"], environment: environment)).Trim();
            List<string> commitArgs = parent is null ? ["commit-tree", tree, "-m", message] : ["commit-tree", tree, "-p", parent, "-m", message];
            var commit = (await GitCli.RunAsync(git, commitArgs, environment: environment)).Trim();
            await GitCli.RunAsync(git, ["update-ref", $"refs/heads/{branch}", commit]);
            return commit;
        }
        finally
        {
            File.Delete(index);
            _writes.Release();
        }
    }

    /// <summary>Creates <paramref name="branch"/> at <paramref name="fromRef"/> (a branch, tag or SHA); returns its commit.</summary>
    public async Task<string> CreateBranchAsync(string fullName, string branch, string fromRef)
    {
        var repository = Get(fullName);
        var sha = await ResolveCommitAsync(repository, fromRef) ?? throw new ArgumentException($"No commit for '{fromRef}'.", nameof(fromRef));
        await GitCli.RunAsync(repository.GitDirectory, ["update-ref", $"refs/heads/{branch}", sha]);
        return sha;
    }

    /// <summary>Tags <paramref name="target"/> (default branch head when null); annotated when <paramref name="message"/> is given. Returns the tagged commit.</summary>
    public async Task<string> CreateTagAsync(string fullName, string tag, string? target = null, string? message = null)
    {
        var repository = Get(fullName);
        var sha = await ResolveCommitAsync(repository, target ?? "heads/" + repository.DefaultBranch)
            ?? throw new ArgumentException($"No commit for '{target}'.", nameof(target));
        await GitCli.RunAsync(repository.GitDirectory, message is null
            ? ["update-ref", $"refs/tags/{tag}", sha]
            : ["tag", "-a", "-m", message, tag, sha], environment: GitCli.BaseEnvironment(Time.GetUtcNow()));
        return sha;
    }

    /// <summary>Publishes a release on <paramref name="tag"/>, creating the tag at <paramref name="target"/> when it does not exist yet (as GitHub does).</summary>
    public async Task<TestRelease> CreateReleaseAsync(string fullName, string tag, string? name = null, string? target = null)
    {
        var repository = Get(fullName);
        if (await RevParseAsync(repository, $"refs/tags/{tag}") is null)
        {
            await CreateTagAsync(fullName, tag, target);
        }
        var release = new TestRelease(Interlocked.Increment(ref _nextId), tag, name ?? tag, target ?? repository.DefaultBranch, Time.GetUtcNow());
        repository.AddRelease(release);
        return release;
    }

    /// <summary>
    /// The next <paramref name="count"/> requests about <paramref name="fullName"/> (only those whose path contains
    /// <paramref name="pathContains"/>, when given, e.g. <c>/commits/</c>) answer with <paramref name="kind"/> instead.
    /// </summary>
    public void InjectFault(string fullName, FaultKind kind, int count = 1, string? pathContains = null) => Get(fullName).InjectFault(kind, count, pathContains);

    /// <summary>Makes <paramref name="token"/> a valid token (GitHub answers 401 to unknown ones) that may read <paramref name="fullName"/>.</summary>
    public void GrantToken(string fullName, string token)
    {
        AddToken(token);
        Get(fullName).GrantToken(token);
    }

    /// <summary>Makes <paramref name="token"/> valid without access to any private repository.</summary>
    public void AddToken(string token) => _tokens[token] = true;

    public TestRepository Get(string fullName) =>
        _repositories.TryGetValue(fullName, out var repository) ? repository : throw new ArgumentException($"No repository {fullName}.", nameof(fullName));

    internal TestRepository? Find(string owner, string name) => _repositories.GetValueOrDefault($"{owner}/{name}");

    internal bool IsKnownToken(string token) => _tokens.ContainsKey(token);

    /// <summary>Resolves what GitHub's <c>commits/{ref}</c> accepts: <c>heads/x</c>, <c>tags/x</c>, a (short) SHA, or a bare branch or tag name.</summary>
    internal static async Task<string?> ResolveCommitAsync(TestRepository repository, string reference)
    {
        if (string.IsNullOrEmpty(reference) || reference.StartsWith('-') || reference.Contains("..", StringComparison.Ordinal) || reference.Any(c => char.IsControl(c) || c == ' ' || c == ':'))
        {
            return null;
        }
        if (reference.StartsWith("refs/", StringComparison.Ordinal))
        {
            return await RevParseAsync(repository, reference);
        }
        if (reference.StartsWith("heads/", StringComparison.Ordinal) || reference.StartsWith("tags/", StringComparison.Ordinal))
        {
            return await RevParseAsync(repository, "refs/" + reference);
        }
        if (reference.Length is >= 4 and <= 40 && reference.All(Uri.IsHexDigit) && await RevParseAsync(repository, reference) is { } sha)
        {
            return sha;
        }
        return await RevParseAsync(repository, "refs/heads/" + reference) ?? await RevParseAsync(repository, "refs/tags/" + reference);
    }

    /// <summary>The commit <paramref name="revision"/> names, peeling tags; null when there is none.</summary>
    internal static async Task<string?> RevParseAsync(TestRepository repository, string revision)
    {
        var (exit, output, _) = await GitCli.TryRunAsync(repository.GitDirectory, ["rev-parse", "--verify", "--quiet", revision + "^{commit}"]);
        return exit == 0 ? output.Trim() : null;
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await _app.StopAsync(timeout.Token);
            await _app.DisposeAsync();
        }
        _writes.Dispose();
        if (_ownsDirectory && Directory.Exists(DataDirectory))
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
    }

    private static (string Owner, string Name) Split(string fullName)
    {
        var parts = fullName.Split('/');
        return parts.Length == 2 && parts.All(p => p.Length > 0 && !p.Contains("..", StringComparison.Ordinal))
            ? (parts[0], parts[1])
            : throw new ArgumentException($"'{fullName}' is not owner/name.", nameof(fullName));
    }
}
