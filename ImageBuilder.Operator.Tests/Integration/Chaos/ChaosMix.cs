using System.Text.Json;
using ImageBuilder.GitHubServer;

namespace ImageBuilder.Operator.Tests.Integration.Chaos;

/// <summary>What a request of the soak is, and so how it must end.</summary>
public enum ChaosKind
{
    /// <summary>A repository that builds: Succeeded, answered on the container-manager queue.</summary>
    Success,

    /// <summary>Builds too, with a 20 s step: the build pods the soak kills mid-build are mostly these.</summary>
    Slow,

    /// <summary>A repository whose GitHub answers 503 a few times first (a service fault that heals): Succeeded.</summary>
    Flaky,

    /// <summary>A repository that does not compile: Failed, user fault BuildFailed, answered on the Kusanali queue.</summary>
    Broken,

    /// <summary>A branch that does not exist: Failed, user fault RefNotFound, on the Kusanali queue.</summary>
    MissingRef,

    /// <summary>A request the parser refuses (repo is not owner/name): no ImageBuild, answered on the Kusanali queue.</summary>
    Rejected,

    /// <summary>One of three requests of one application following one branch, each sent once the one before has
    /// resolved its commit and a newer commit was pushed (a user deploying again): Succeeded, or Superseded by the
    /// next one when superseding is on. Each builds its own commit either way.</summary>
    Repeat,
}

/// <summary>One request of the soak; <c>Sequence</c> is a Repeat's place among its application's requests (0, 1, 2), 0 otherwise.</summary>
public sealed record ChaosRequest(string App, ChaosKind Kind, string Repo, string Branch, string Body, int Wave, int Sequence = 0)
{
    /// <summary>Unique per request: the repeats share an application.</summary>
    public string Key => $"{App}#{Sequence}";

    /// <summary>The user of the request: ten users, so per-user limits (admission) see a fair mix.</summary>
    public string UserId => UserOf(App);

    public static string UserOf(string app) => "1800" + (app[^1] - '0');
}

/// <summary>
/// The request mix of the soak, in cycles of 20: 10 successes, 1 slow success, 2 flaky (GitHub 503s that heal),
/// 2 that do not compile, 1 missing branch, 1 refused by the parser, 3 repeats of one application. Every request that
/// builds is its own commit, so a second successful Job for one commit is a rebuild.
/// </summary>
public static class ChaosMix
{
    public const string Token = "chaos-token";
    public const int FlakyFaults = 3;
    private const int Cycle = 20;

    private static readonly ChaosKind[] Slots =
    [
        ChaosKind.Success, ChaosKind.Success, ChaosKind.Success, ChaosKind.Success, ChaosKind.Success,
        ChaosKind.Broken, ChaosKind.Slow, ChaosKind.Flaky, ChaosKind.Success, ChaosKind.MissingRef,
        ChaosKind.Success, ChaosKind.Success, ChaosKind.Success, ChaosKind.Rejected, ChaosKind.Success,
        ChaosKind.Flaky, ChaosKind.Broken, ChaosKind.Repeat, ChaosKind.Repeat, ChaosKind.Repeat,
    ];

    /// <summary>Creates the repositories on the GitHub test server and returns the requests in publishing order.</summary>
    public static async Task<List<ChaosRequest>> CreateAsync(GitHubTestServer github, string prefix, int count, int waves)
    {
        await github.CreateRepositoryAsync("chaos/app", Files("main", slow: false), Token);
        await github.CreateRepositoryAsync("chaos/slow", Files("main", slow: true), Token);
        await github.CreateRepositoryAsync("chaos/broken", BrokenFiles("main"), Token);
        var requests = new List<ChaosRequest>(count);
        var waveSize = (count + waves - 1) / waves;
        // A last partial cycle is all successes, so a repeat group is never cut short.
        var full = count / Cycle * Cycle;
        for (var i = 0; i < count; i++)
        {
            var kind = i < full ? Slots[i % Cycle] : ChaosKind.Success;
            var app = $"{prefix}-{i:D3}";
            var wave = Math.Min(i / waveSize, waves - 1);
            var branch = $"r{i:D3}";
            switch (kind)
            {
                case ChaosKind.Success or ChaosKind.Slow:
                    {
                        var repo = kind == ChaosKind.Slow ? "chaos/slow" : "chaos/app";
                        await NewBranchAsync(github, repo, branch, Files($"{app}", kind == ChaosKind.Slow));
                        requests.Add(new ChaosRequest(app, kind, repo, branch, Flat(app, repo, branch), wave));
                        break;
                    }
                case ChaosKind.Flaky:
                    {
                        // A repository of its own: the test server's faults are per repository.
                        var repo = $"chaos/flaky{i:D3}";
                        await github.CreateRepositoryAsync(repo, Files(app, slow: false), Token);
                        requests.Add(new ChaosRequest(app, kind, repo, "main", Flat(app, repo, "main"), wave));
                        break;
                    }
                case ChaosKind.Broken:
                    await NewBranchAsync(github, "chaos/broken", branch, BrokenFiles(app));
                    requests.Add(new ChaosRequest(app, kind, "chaos/broken", branch, Flat(app, "chaos/broken", branch), wave));
                    break;
                case ChaosKind.MissingRef:
                    requests.Add(new ChaosRequest(app, kind, "chaos/app", "no-such-" + branch, Flat(app, "chaos/app", "no-such-" + branch), wave));
                    break;
                case ChaosKind.Rejected:
                    requests.Add(new ChaosRequest(app, kind, "chaos/../app", "main", Flat(app, "chaos/../app", "main"), wave));
                    break;
                case ChaosKind.Repeat:
                    {
                        // Three in a row share one application and branch (made here with its first commit); the
                        // soak pushes a newer commit before sending the second and the third (ChaosTests).
                        var first = i - ((i % Cycle) - 17);
                        var repeatApp = $"{prefix}-{first:D3}";
                        var repeatBranch = $"r{first:D3}";
                        if (i == first)
                        {
                            await NewBranchAsync(github, "chaos/app", repeatBranch, Files($"{repeatApp} 0", false));
                        }
                        requests.Add(new ChaosRequest(repeatApp, kind, "chaos/app", repeatBranch, Flat(repeatApp, "chaos/app", repeatBranch), Math.Min(first / waveSize, waves - 1), i - first));
                        break;
                    }
                default:
                    throw new InvalidOperationException($"unknown kind {kind}");
            }
        }
        return requests;
    }

    private static async Task NewBranchAsync(GitHubTestServer github, string repo, string branch, Dictionary<string, string> files)
    {
        await github.CreateBranchAsync(repo, branch, "main");
        await github.AddCommitAsync(repo, files.ToDictionary(f => f.Key, string? (f) => f.Value), branch);
    }

    public static Dictionary<string, string> Files(string stamp, bool slow) => new(StringComparer.Ordinal)
    {
        ["Dockerfile"] = "FROM 127.0.0.1:5000/base/busybox:latest\n" + (slow ? "RUN sleep 20\n" : "") + "COPY stamp.txt /stamp.txt\n",
        ["stamp.txt"] = stamp + "\n",
    };

    private static Dictionary<string, string> BrokenFiles(string stamp) => new(StringComparer.Ordinal)
    {
        ["Dockerfile"] = "FROM 127.0.0.1:5000/base/busybox:latest\nCOPY main.c /main.c\nRUN echo 'main.c:1:1: error: expected identifier' >&2 && exit 1\n",
        ["main.c"] = "int main( { return 0; } /* " + stamp + " */\n",
    };

    private static string Flat(string app, string repo, string branch) => JsonSerializer.Serialize(new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["applicationID"] = app,
        ["token"] = Token,
        ["userID"] = ChaosRequest.UserOf(app),
        ["type"] = "repo",
        ["connector"] = "github",
        ["repo"] = repo,
        ["branch"] = branch,
    });
}
