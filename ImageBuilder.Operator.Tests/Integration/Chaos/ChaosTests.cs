using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using ImageBuilder.Operator.Api;
using ImageBuilder.Operator.Tests.GitHubServer;
using k8s;
using Xunit.Abstractions;

namespace ImageBuilder.Operator.Tests.Integration.Chaos;

/// <summary>
/// Issue 6 on the real platform: 100 BuildRequests while the leading operator process is SIGKILLed five times and the
/// broker restarts once. Every request must reach a terminal notification (at-least-once: a duplicate must carry the
/// same message id), and no ImageBuild may have more than one successful build Job. Figures go to bench/results/chaos.json.
/// </summary>
[Collection(PlatformCollection.Name)]
[Trait("Category", "Chaos")]
public sealed class ChaosTests(PlatformFixture fixture, ITestOutputHelper output) : IAsyncLifetime
{
    private const int Repos = 10;
    private const int BranchesPerRepo = 10;
    private const int Requests = Repos * BranchesPerRepo;
    private const int Waves = 5;
    private const string Token = "chaos-token";
    private static readonly TimeSpan TerminalTimeout = TimeSpan.FromMinutes(6);
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    private readonly List<ChaosOperator> _operators = [];
    private readonly string _prefix = PlatformFixture.UniqueName("chaos");
    private readonly string _logs = Directory.CreateTempSubdirectory("imagebuilder-chaos-").FullName;
    private GitHubTestServer? _github;
    private string _ns = "";
    private int _started;

    private string LeaseName => _prefix;
    private string BuildQueue => _prefix + ".build";
    private string CmQueue => _prefix + ".cm";
    private string KusanaliQueue => _prefix + ".kusanali";

    public async Task InitializeAsync()
    {
        _ns = await fixture.CreateNamespaceAsync("chaos");
        _github = await GitHubTestServer.StartAsync();
    }

    [Fact]
    public async Task HundredRequests_LeaderKilledFiveTimesAndBrokerRestarted_EachNotifiedOnceBuiltOnce()
    {
        var requests = await CreateRepositoriesAsync();
        for (var i = 0; i < 3; i++)
        {
            StartOperator();
        }
        var firstLeader = await WaitForLeaderAsync(except: null);
        output.WriteLine($"first leader {firstLeader}; operator logs in {_logs}");
        var ledger = new JobLedger(fixture.Kubernetes, _ns);
        using var stopLedger = new CancellationTokenSource();
        var ledgerTask = ledger.RunAsync(stopLedger.Token);

        var clock = Stopwatch.StartNew();
        var published = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        var failovers = new List<double>();
        var inFlightAtKill = new List<int>();
        var waveSize = Requests / Waves;
        for (var wave = 0; wave < Waves; wave++)
        {
            var batch = requests.Skip(wave * waveSize).Take(waveSize).ToList();
            await ChaosQueues.PublishAsync(fixture.AmqpUri, BuildQueue, batch.Select(r => r.Body), TimeSpan.FromMinutes(2));
            foreach (var r in batch)
            {
                published[r.App] = DateTimeOffset.UtcNow;
            }
            // Let the wave get in flight (ImageBuilds written, Jobs started) before the crash.
            await Task.Delay(TimeSpan.FromSeconds(3));
            inFlightAtKill.Add(await InFlightAsync(published.Count));
            failovers.Add(await KillLeaderAsync());
            if (wave == 2)
            {
                output.WriteLine("restarting RabbitMQ");
                await ChaosQueues.RestartBrokerAsync();
            }
        }

        var builds = await WaitAllTerminalAsync();
        var totalSeconds = clock.Elapsed.TotalSeconds;
        // Late duplicates (a redelivered notify of a killed leader) get a moment to land before the count.
        await Task.Delay(TimeSpan.FromSeconds(5));
        await stopLedger.CancelAsync();
        await ledgerTask;
        await ledger.SampleAsync(CancellationToken.None);
        var notifications = (await ChaosQueues.DrainAsync(fixture.AmqpUri, CmQueue)).Concat(await ChaosQueues.DrainAsync(fixture.AmqpUri, KusanaliQueue)).ToList();

        var report = Report(requests, builds, notifications, ledger, published, failovers, totalSeconds);
        report["in_flight_at_kill"] = inFlightAtKill.ToArray();
        var json = JsonSerializer.Serialize(report, Indented);
        var results = Path.Combine(fixture.RepoRoot, "bench", "results");
        Directory.CreateDirectory(results);
        await File.WriteAllTextAsync(Path.Combine(results, "chaos.json"), json + "\n");
        output.WriteLine(json);
        Console.WriteLine("chaos: " + json);

        var byBuild = notifications.GroupBy(n => n.Response.ImageBuild, StringComparer.Ordinal).ToList();
        Assert.Equal(Requests, builds.Count);
        Assert.Equal(Requests, builds.Select(b => b.Spec.ApplicationId).Distinct(StringComparer.Ordinal).Count());
        Assert.Equal(Requests, byBuild.Count(g => g.Key.Length > 0));
        Assert.Equal(builds.Select(b => $"{b.Metadata.NamespaceProperty}/{b.Metadata.Name}").Order(StringComparer.Ordinal), byBuild.Select(g => g.Key).Order(StringComparer.Ordinal));
        Assert.All(byBuild, g => Assert.Single(g.Select(n => n.MessageId).Distinct(StringComparer.Ordinal)));
        Assert.All(ledger.Jobs.Values.GroupBy(j => j.Owner), g => Assert.True(g.Count(j => j.Succeeded) <= 1, $"{g.Key} has {g.Count(j => j.Succeeded)} successful Jobs"));
        Assert.True(SuccessfulJobsPerCommitMax(builds, ledger) <= 1, "a commit was built successfully more than once");
        Assert.Equal(Waves, failovers.Count);
        Assert.All(inFlightAtKill, n => Assert.True(n > 0, "a leader was killed with nothing in flight"));
    }

    private async Task<List<(string App, string Body)>> CreateRepositoriesAsync()
    {
        var requests = new List<(string App, string Body)>();
        for (var r = 0; r < Repos; r++)
        {
            var repo = $"chaos/app{r}";
            await _github!.CreateRepositoryAsync(repo, Files("main"), Token);
            for (var b = 0; b < BranchesPerRepo; b++)
            {
                var branch = $"b{b}";
                await _github.CreateBranchAsync(repo, branch, "main");
                // A distinct file per branch: every request is its own commit, so a second successful Job would be a rebuild.
                await _github.AddCommitAsync(repo, Files($"{_prefix} {repo} {branch}").ToDictionary(f => f.Key, string? (f) => f.Value), branch);
                var app = $"{_prefix}-a{r}-{b}";
                requests.Add((app, JsonSerializer.Serialize(new Dictionary<string, string>
                {
                    ["applicationID"] = app,
                    ["token"] = Token,
                    ["userID"] = "18008",
                    ["type"] = "repo",
                    ["connector"] = "github",
                    ["repo"] = repo,
                    ["branch"] = branch,
                })));
            }
        }
        // Interleaved so every wave spans all repositories.
        return requests.OrderBy(r => r.App.Split('-')[^1], StringComparer.Ordinal).ThenBy(r => r.App, StringComparer.Ordinal).ToList();
    }

    private static Dictionary<string, string> Files(string stamp) => new(StringComparer.Ordinal)
    {
        ["Dockerfile"] = "FROM 127.0.0.1:5000/base/busybox:latest\nCOPY stamp.txt /stamp.txt\n",
        ["stamp.txt"] = stamp + "\n",
    };

    private ChaosOperator StartOperator()
    {
        var identity = $"{_prefix}-op{_started++}";
        var op = ChaosOperator.Start(fixture.OperatorDll(), identity, OperatorEnv(), _logs);
        _operators.Add(op);
        return op;
    }


    private Dictionary<string, string> OperatorEnv() => new(StringComparer.Ordinal)
    {
        ["KUBECONFIG"] = fixture.KubeConfigPath,
        ["Logging__LogLevel__Default"] = "Information",
        ["Controller__Namespace"] = _ns,
        ["Controller__LeaderElection__LeaseNamespace"] = _ns,
        ["Controller__LeaderElection__LeaseName"] = LeaseName,
        ["Controller__LeaderElection__LeaseDuration"] = "00:00:04",
        ["Controller__LeaderElection__RenewDeadline"] = "00:00:03",
        ["Controller__LeaderElection__RetryPeriod"] = "00:00:01",
        ["GitHub__ApiUrl"] = _github!.BaseUrl.AbsoluteUri,
        ["Build__Strategy"] = "buildkit",
        ["Build__Registry"] = fixture.Registry,
        ["Build__RegistryUsername"] = fixture.RegistryUser,
        ["Build__RegistryPassword"] = fixture.RegistryPassword,
        ["Build__Images__Fetch"] = "imagebuilder/fetch:dev",
        ["Build__Images__Nixpacks"] = "imagebuilder/fetch:dev",
        ["Build__Images__BuildKit"] = ImageBuilder.Operator.Tests.Integration.OperatorHost.OperatorHost.DevBuildKitImage,
        ["Build__HostNetwork"] = "true",
        ["Build__InsecureRegistries__0"] = fixture.Registry,
        ["Build__ImagePullPolicy"] = "IfNotPresent",
        ["RabbitMq__Uri"] = fixture.AmqpUri.ToString(),
        ["RabbitMq__BuildQueue"] = BuildQueue,
        ["RabbitMq__FailQueue"] = _prefix + ".fail",
        ["RabbitMq__ContainerManagerQueue"] = CmQueue,
        ["RabbitMq__KusanaliQueue"] = KusanaliQueue,
        ["RabbitMq__TargetNamespace"] = _ns,
        ["Retry__BaseDelay"] = "00:00:05",
    };

    /// <summary>SIGKILLs the Lease holder, starts a replacement (three stay running) and returns seconds until another replica leads.</summary>
    private async Task<double> KillLeaderAsync()
    {
        var holder = await WaitForLeaderAsync(except: null);
        var leader = _operators.Single(o => o.Identity == holder);
        var clock = Stopwatch.StartNew();
        await leader.KillAsync();
        StartOperator();
        var next = await WaitForLeaderAsync(except: holder);
        var seconds = clock.Elapsed.TotalSeconds;
        output.WriteLine($"killed leader {holder}; {next} leads after {seconds:0.0}s");
        return seconds;
    }

    /// <summary>The identity holding the Lease, once it is a live replica other than <paramref name="except"/>.</summary>
    private async Task<string> WaitForLeaderAsync(string? except)
    {
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                var lease = await fixture.Kubernetes.CoordinationV1.ReadNamespacedLeaseAsync(LeaseName, _ns);
                var holder = lease.Spec?.HolderIdentity;
                if (holder is not null && holder != except && _operators.Any(o => o.Identity == holder && !o.HasExited))
                {
                    return holder;
                }
            }
            catch (k8s.Autorest.HttpOperationException e) when (e.Response.StatusCode == System.Net.HttpStatusCode.NotFound)
            {
                // No replica has created the Lease yet.
            }
            await Task.Delay(200);
        }
        throw new TimeoutException($"no live replica took the Lease {_ns}/{LeaseName} within 90 s; logs in {_logs}");
    }

    private async Task<List<ImageBuild>> WaitAllTerminalAsync()
    {
        var deadline = DateTime.UtcNow + TerminalTimeout;
        List<ImageBuild> items = [];
        while (DateTime.UtcNow < deadline)
        {
            items = (await fixture.Kubernetes.CustomObjects.ListNamespacedCustomObjectAsync<ImageBuildList>(ImageBuild.Group, ImageBuild.Version, _ns, ImageBuild.Plural)).Items.ToList();
            if (items.Count >= Requests && items.All(IsNotified))
            {
                return items;
            }
            await Task.Delay(TimeSpan.FromSeconds(2));
        }
        output.WriteLine($"timed out: {items.Count} ImageBuilds, {items.Count(IsNotified)} notified; phases: "
            + string.Join(", ", items.GroupBy(b => b.Status?.Phase ?? "(none)").Select(g => $"{g.Key}={g.Count()}")));
        return items;
    }

    /// <summary>Requests published but not yet notified: what a kill can interrupt.</summary>
    private async Task<int> InFlightAsync(int published)
    {
        var items = (await fixture.Kubernetes.CustomObjects.ListNamespacedCustomObjectAsync<ImageBuildList>(ImageBuild.Group, ImageBuild.Version, _ns, ImageBuild.Plural)).Items;
        return published - items.Count(IsNotified);
    }

    private static bool IsNotified(ImageBuild b) =>
        b.Status?.Phase is Phases.Succeeded or Phases.Failed && b.Status.Notification?.ConfirmedTime is not null;

    private SortedDictionary<string, object?> Report(
        List<(string App, string Body)> requests, List<ImageBuild> builds, List<ChaosQueues.Notification> notifications, JobLedger ledger,
        Dictionary<string, DateTimeOffset> published, List<double> failovers, double totalSeconds)
    {
        var byBuild = notifications.GroupBy(n => n.Response.ImageBuild, StringComparer.Ordinal).ToList();
        var jobsPerBuild = ledger.Jobs.Values.GroupBy(j => j.Owner, StringComparer.Ordinal).ToList();
        var toTerminal = builds
            .Where(b => b.Status?.Notification?.ConfirmedTime is not null && published.ContainsKey(b.Spec.ApplicationId ?? ""))
            .Select(b => (new DateTimeOffset(DateTime.SpecifyKind(b.Status!.Notification!.ConfirmedTime!.Value, DateTimeKind.Utc)) - published[b.Spec.ApplicationId!]).TotalSeconds)
            .Order().ToList();
        return new SortedDictionary<string, object?>(StringComparer.Ordinal)
        {
            ["started"] = DateTimeOffset.UtcNow.AddSeconds(-totalSeconds).ToString("O", CultureInfo.InvariantCulture),
            ["requests"] = requests.Count,
            ["imagebuilds"] = builds.Count,
            ["imagebuilds_terminal_notified"] = builds.Count(IsNotified),
            ["succeeded"] = builds.Count(b => b.Status?.Phase == Phases.Succeeded),
            ["failed"] = builds.Count(b => b.Status?.Phase == Phases.Failed),
            ["distinct_notified"] = byBuild.Count(g => g.Key.Length > 0),
            ["raw_notifications"] = notifications.Count,
            ["raw_notifications_cm"] = notifications.Count(n => n.Queue == CmQueue),
            ["raw_notifications_kusanali"] = notifications.Count(n => n.Queue == KusanaliQueue),
            ["duplicates"] = notifications.Count - byBuild.Count,
            ["duplicates_with_other_message_id"] = byBuild.Sum(g => g.Select(n => n.MessageId).Distinct(StringComparer.Ordinal).Count() - 1),
            ["notifications_without_imagebuild"] = notifications.Count(n => n.Response.ImageBuild.Length == 0),
            ["jobs_total"] = ledger.Jobs.Count,
            ["jobs_per_build_max"] = jobsPerBuild.Count == 0 ? 0 : jobsPerBuild.Max(g => g.Count()),
            ["successful_jobs_per_build_max"] = jobsPerBuild.Count == 0 ? 0 : jobsPerBuild.Max(g => g.Count(j => j.Succeeded)),
            ["builds_with_more_than_one_job"] = jobsPerBuild.Count(g => g.Count() > 1),
            ["successful_jobs_per_commit_max"] = SuccessfulJobsPerCommitMax(builds, ledger),
            ["duplicate_detail"] = byBuild.Where(g => g.Count() > 1)
                .Select(g => $"{g.Key} x{g.Count()} message ids [{string.Join(", ", g.Select(n => n.MessageId).Distinct(StringComparer.Ordinal))}]").ToArray(),
            ["notifications_message_id_not_in_status"] = notifications.Count(n =>
                builds.FirstOrDefault(b => $"{b.Metadata.NamespaceProperty}/{b.Metadata.Name}" == n.Response.ImageBuild)?.Status?.Notification?.MessageId != n.MessageId),
            ["failovers"] = failovers.Count,
            ["failover_s"] = failovers.Select(f => Math.Round(f, 2)).ToArray(),
            ["broker_restarts"] = 1,
            ["total_s"] = Math.Round(totalSeconds, 1),
            ["time_to_terminal_p50_s"] = toTerminal.Count == 0 ? null : Math.Round(toTerminal[toTerminal.Count / 2], 2),
            ["time_to_terminal_max_s"] = toTerminal.Count == 0 ? null : Math.Round(toTerminal[^1], 2),
            ["operator_processes_started"] = _started,
        };
    }

    /// <summary>Every request is its own commit, so this also catches a rebuild under another ImageBuild.</summary>
    private static int SuccessfulJobsPerCommitMax(List<ImageBuild> builds, JobLedger ledger)
    {
        var commitOf = builds.ToDictionary(b => b.Metadata.Name, b => b.Status?.Commit ?? "", StringComparer.Ordinal);
        var perCommit = ledger.Jobs.Values.Where(j => j.Succeeded)
            .GroupBy(j => commitOf.GetValueOrDefault(j.Owner, j.Owner), StringComparer.Ordinal).ToList();
        return perCommit.Count == 0 ? 0 : perCommit.Max(g => g.Count());
    }

    public async Task DisposeAsync()
    {
        foreach (var op in _operators)
        {
            await op.DisposeAsync();
        }
        try
        {
            // Every queue of this run (delay tiers included) starts with the run's prefix.
            var names = await PlatformFixture.RunAsync("rabbitmqctl", ["-q", "-n", "rabbit@localhost", "list_queues", "name"], TimeSpan.FromMinutes(1));
            await ChaosQueues.DeleteAsync(fixture.AmqpUri, names.Split('\n', StringSplitOptions.TrimEntries).Where(q => q.StartsWith(_prefix + ".", StringComparison.Ordinal)));
        }
        catch (Exception e) when (e is RabbitMQ.Client.Exceptions.BrokerUnreachableException or InvalidOperationException or TimeoutException)
        {
            output.WriteLine($"could not delete the chaos queues: {e.Message}");
        }
        if (_github is not null)
        {
            await _github.DisposeAsync();
        }
        // The namespace goes with the fixture (CreateNamespaceAsync registered it).
    }
}
