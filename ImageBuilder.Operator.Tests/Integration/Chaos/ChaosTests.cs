using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using ImageBuilder.GitHubServer;
using ImageBuilder.Operator.Api;
using ImageBuilder.Testing.Operators;
using ImageBuilder.Testing.Queues;
using k8s;
using Xunit.Abstractions;

namespace ImageBuilder.Operator.Tests.Integration.Chaos;

/// <summary>
/// The soak of issue 15 on the real platform and the real build path (rootless BuildKit Jobs, the registry, RabbitMQ):
/// CHAOS_N requests (default 500) of the mix of <see cref="ChaosMix"/>, published in waves, while three operator
/// replicas live through every fault of <see cref="ChaosFaults"/> at least once: leader SIGKILLs, RabbitMQ restarts,
/// the registry stopped for 30 s while builds run, kube-apiserver restarts, build pods killed mid-build, and the
/// operators' broker connections reset at a proxy. Pass: every request ends in exactly one answer on the right queue
/// (a superseded request instead ends Superseded naming a newer, answered one, and is not answered itself), a
/// duplicate only with the same message id, no commit built successfully twice, no ImageBuild left non-terminal,
/// every queue of the run drained. Figures go to bench/results/chaos.json for the full run (CHAOS_RESULTS elsewhere).
/// </summary>
[Collection(PlatformCollection.Name)]
[Trait("Category", "Chaos")]
public sealed class ChaosTests(PlatformFixture fixture, ITestOutputHelper output) : IAsyncLifetime
{
    private const int DefaultRequests = 500;
    private const int WaveSize = 50;
    private static readonly TimeSpan RegistryOutage = TimeSpan.FromSeconds(30);
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    private readonly List<OperatorProcess> _operators = [];
    private readonly string _prefix = PlatformFixture.UniqueName("chaos");
    // Scratch (operator logs, the GitHub server's repositories) lives outside the source tree; make chaos names it.
    private readonly string _work = Environment.GetEnvironmentVariable("CHAOS_WORK") is { Length: > 0 } w
        ? Directory.CreateDirectory(w).FullName
        : Directory.CreateTempSubdirectory("imagebuilder-chaos-").FullName;
    private readonly Stopwatch _clock = new();
    private GitHubTestServer? _github;
    private ChaosProxy? _proxy;
    // The broker itself, not the proxy: publishing and draining are the platform's side, not a faulted operator's.
    private TestQueues? _queues;
    private string _ns = "";
    private int _started;

    private string LeaseName => _prefix;
    private string BuildQueue => _prefix + ".build";
    private string CmQueue => _prefix + ".cm";
    private string KusanaliQueue => _prefix + ".kusanali";

    private static int Requests => int.TryParse(Environment.GetEnvironmentVariable("CHAOS_N"), CultureInfo.InvariantCulture, out var n) && n > 0 ? n : DefaultRequests;

    public async Task InitializeAsync()
    {
        _ns = await fixture.CreateNamespaceAsync("chaos");
        _github = await GitHubTestServer.StartAsync(dataDirectory: Path.Combine(_work, "github"));
        _proxy = ChaosProxy.Start(fixture.AmqpUri.Port);
        _queues = new TestQueues(fixture.AmqpUri, "chaos-" + _prefix);
    }

    [Fact]
    public async Task Soak_EveryFaultKind_EachRequestAnsweredOnceOnItsQueueAndEachCommitBuiltOnce()
    {
        var n = Requests;
        // Six faults in rotation, one after each wave: a small run still meets every fault once.
        var waves = Math.Max(6, (n + WaveSize - 1) / WaveSize);
        var setup = Stopwatch.StartNew();
        var requests = await ChaosMix.CreateAsync(_github!, _prefix, n, waves);
        Log($"{n} requests in {waves} waves; repositories made in {setup.Elapsed.TotalSeconds:0} s; scratch in {_work}");
        for (var i = 0; i < 3; i++)
        {
            StartOperator();
        }
        await WaitForLeaderAsync(except: null);
        var ledger = new JobLedger(fixture.Kubernetes, _ns);
        using var stopLedger = new CancellationTokenSource();
        var ledgerTask = ledger.RunAsync(stopLedger.Token);
        var faults = new ChaosFaults(fixture, _ns, _clock, Log);
        var slowApps = requests.Where(r => r.Kind == ChaosKind.Slow).Select(r => r.App).ToHashSet(StringComparer.Ordinal);

        _clock.Start();
        var published = new ConcurrentDictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        var repeats = new List<Task>();
        var failovers = new List<double>();
        var backlogWaits = new List<double>();
        for (var wave = 0; wave < waves; wave++)
        {
            var batch = requests.Where(r => r.Wave == wave && r.Kind != ChaosKind.Repeat).ToList();
            // Pacing: at most two waves in flight, so the node (110 pods, 2 cores) is loaded, not flooded.
            var waited = Stopwatch.StartNew();
            await WaitBacklogAsync(published, 2 * WaveSize);
            backlogWaits.Add(Math.Round(waited.Elapsed.TotalSeconds, 1));
            foreach (var flaky in batch.Where(r => r.Kind == ChaosKind.Flaky))
            {
                _github!.InjectFault(flaky.Repo, FaultKind.ServiceUnavailable, ChaosMix.FlakyFaults);
            }
            await _queues!.PublishManyThroughFaultsAsync(BuildQueue, batch.Select(r => r.Body), TimeSpan.FromMinutes(3));
            foreach (var request in batch)
            {
                published[request.Key] = DateTimeOffset.UtcNow;
            }
            foreach (var group in requests.Where(r => r.Wave == wave && r.Kind == ChaosKind.Repeat).GroupBy(r => r.App, StringComparer.Ordinal))
            {
                repeats.Add(RepeatAsync(group.OrderBy(r => r.Sequence).ToList(), ledger, published));
            }
            Log($"{_clock.Elapsed.TotalSeconds:0.0}s wave {wave}: {batch.Count} published");
            // The fault hits work in flight: wait until this wave's builds run.
            await WaitBuildsRunningAsync(faults);
            switch (wave % 6)
            {
                case 0:
                    failovers.Add(await KillLeaderAsync(faults, published));
                    break;
                case 1:
                    await faults.KillBuildPodsAsync(2, slowApps, TimeSpan.FromSeconds(90));
                    break;
                case 2:
                    await faults.CutConnectionsAsync(_proxy!);
                    break;
                case 3:
                    await faults.StopRegistryAsync(RegistryOutage, (await faults.RunningBuildPodsAsync()).Count);
                    break;
                case 4:
                    await faults.RestartBrokerAsync();
                    break;
                default:
                    await faults.RestartApiserverAsync();
                    break;
            }
            if (wave % 2 == 0 && wave % 6 != 0)
            {
                failovers.Add(await KillLeaderAsync(faults, published));
            }
        }
        await Task.WhenAll(repeats);
        var publishing = _clock.Elapsed.TotalSeconds;

        var expectedBuilds = requests.Count(r => r.Kind != ChaosKind.Rejected);
        var builds = await WaitAllAnsweredAsync(expectedBuilds, TimeSpan.FromMinutes(Math.Max(10, n * 4 / 60.0)));
        var totalSeconds = _clock.Elapsed.TotalSeconds;
        // A redelivered notification of a killed leader may still be on its way: give it a moment before counting.
        await Task.Delay(TimeSpan.FromSeconds(5));
        await stopLedger.CancelAsync();
        await ledgerTask;
        await Retry(() => ledger.SampleAsync(CancellationToken.None));
        var notifications = (await _queues!.DrainMessagesAsync(CmQueue)).Select(m => ChaosNotification.From(CmQueue, m))
            .Concat((await _queues.DrainMessagesAsync(KusanaliQueue)).Select(m => ChaosNotification.From(KusanaliQueue, m))).ToList();
        var leftInQueues = await WaitQueuesDrainedAsync();
        var retryEvents = await RetryEventsAsync();

        // Every ImageBuild as it ended, beside the operator logs, for reading a failed run.
        await File.WriteAllTextAsync(Path.Combine(_work, "imagebuilds.json"), JsonSerializer.Serialize(builds.Select(b => new { b.Metadata.Name, b.Spec, b.Status }), Indented));
        var verdict = new ChaosVerdict(requests, builds, notifications, ledger, CmQueue, KusanaliQueue);
        var report = verdict.Report();
        foreach (var (key, value) in faults.Counts)
        {
            report[key] = value;
        }
        report["started"] = DateTimeOffset.UtcNow.AddSeconds(-totalSeconds).ToString("O", CultureInfo.InvariantCulture);
        report["waves"] = waves;
        report["backlog_wait_s"] = backlogWaits.ToArray();
        report["publishing_s"] = Math.Round(publishing, 1);
        report["total_s"] = Math.Round(totalSeconds, 1);
        report["failovers"] = failovers.Count;
        report["failover_s"] = failovers.Select(f => Math.Round(f, 2)).ToArray();
        report["operator_processes_started"] = _started;
        report["proxy_connections_accepted"] = _proxy!.Accepted;
        report["fault_timeline"] = faults.Timeline;
        report["queues_left"] = leftInQueues;
        report["retry_events_by_reason"] = retryEvents;
        var timings = verdict.TimeToTerminal(published);
        report["time_to_terminal_p50_s"] = Percentile(timings, 0.50);
        report["time_to_terminal_p99_s"] = Percentile(timings, 0.99);
        report["time_to_terminal_max_s"] = timings.Count == 0 ? null : Math.Round(timings[^1], 2);
        var json = JsonSerializer.Serialize(report, Indented);
        var results = Environment.GetEnvironmentVariable("CHAOS_RESULTS") is { Length: > 0 } r
            ? r
            : n == DefaultRequests ? Path.Combine(fixture.RepoRoot, "bench", "results", "chaos.json") : Path.Combine(_work, "chaos.json");
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(results))!);
        await File.WriteAllTextAsync(results, json + "\n");
        output.WriteLine(json);
        Console.WriteLine($"chaos: figures in {results}; operator logs in {_work}");

        Assert.Equal(expectedBuilds, builds.Count);
        Assert.All(faults.Counts, c => Assert.True(c.Value > 0, $"the fault {c.Key} never happened"));
        Assert.Empty(verdict.Problems);
        Assert.Equal(n - verdict.Superseded, verdict.DistinctAnswered);
        Assert.Empty(leftInQueues);
    }

    private void Log(string line)
    {
        output.WriteLine(line);
        Console.WriteLine("chaos: " + line);
    }

    private static double? Percentile(List<double> sorted, double p) =>
        sorted.Count == 0 ? null : Math.Round(sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)], 2);

    private OperatorProcess StartOperator()
    {
        var identity = $"{_prefix}-op{_started++}";
        var op = OperatorProcess.Start(fixture.OperatorDll(), OperatorEnv(), Path.Combine(_work, identity + ".log"), identity);
        _operators.Add(op);
        return op;
    }

    private Dictionary<string, string> OperatorEnv() => OperatorConfiguration.Environment(OperatorConfiguration.Merge(
        OperatorConfiguration.Platform(fixture.Platform, _github!.BaseUrl),
        OperatorConfiguration.Scope(_ns, LeaseName, _prefix),
        new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            ["Logging:LogLevel:Default"] = "Information",
            ["Controller:LeaderElection:LeaseDuration"] = "00:00:04",
            ["Controller:LeaderElection:RenewDeadline"] = "00:00:03",
            ["Controller:LeaderElection:RetryPeriod"] = "00:00:01",
            // Through the proxy, so the soak can cut the operators' connections without touching the broker.
            ["RabbitMq:Uri"] = new UriBuilder(fixture.AmqpUri) { Port = _proxy!.Port }.Uri.ToString(),
            // One request may meet several faults (a killed pod, then the registry outage): five retries, and delay
            // tiers short enough for a soak; the production defaults are 3 retries and tiers from 10 s.
            ["Retry:MaxRetries"] = "5",
            ["Retry:BaseDelay"] = "00:00:05",
            ["Retry:MaxDelay"] = "00:00:40",
        },
        OperatorConfiguration.DelayTiers([TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(40)])));

    /// <summary>SIGKILLs the Lease holder, starts a replacement (three stay running) and returns seconds until another replica leads.</summary>
    private async Task<double> KillLeaderAsync(ChaosFaults faults, ConcurrentDictionary<string, DateTimeOffset> published)
    {
        var inFlight = published.Count - (await ListBuildsAsync()).Count(ChaosVerdict.IsAnswered);
        var holder = await WaitForLeaderAsync(except: null);
        var leader = _operators.Single(o => o.Identity == holder);
        var clock = Stopwatch.StartNew();
        await leader.KillAsync();
        StartOperator();
        var next = await WaitForLeaderAsync(except: holder);
        var seconds = clock.Elapsed.TotalSeconds;
        faults.RecordLeaderKill(holder, next, seconds, inFlight);
        Log($"killed leader {holder}; {next} leads after {seconds:0.0}s");
        return seconds;
    }

    /// <summary>The identity holding the Lease, once it is a live replica other than <paramref name="except"/>.</summary>
    private async Task<string> WaitForLeaderAsync(string? except) =>
        (await Eventually.ValueAsync(async () =>
        {
            try
            {
                return (await fixture.Kubernetes.CoordinationV1.ReadNamespacedLeaseAsync(LeaseName, _ns)).Spec?.HolderIdentity;
            }
            catch (k8s.Autorest.HttpOperationException e) when (e.Response.StatusCode == System.Net.HttpStatusCode.NotFound)
            {
                // No replica has created the Lease yet.
                return null;
            }
            catch (HttpRequestException)
            {
                // The apiserver is restarting.
                return null;
            }
        }, holder => holder is not null && holder != except && _operators.Any(o => o.Identity == holder && !o.HasExited),
            TimeSpan.FromSeconds(120), $"a live replica to take the Lease {_ns}/{LeaseName} (logs in {_work})"))!;

    /// <summary>
    /// Sends the requests of one application one after the other, each once the one before has resolved its commit and
    /// a newer commit is on the branch: with superseding on, the older one is replaced while it builds; off, each of
    /// the three builds its own commit, so neither mode builds one commit twice.
    /// </summary>
    private async Task RepeatAsync(List<ChaosRequest> group, JobLedger ledger, ConcurrentDictionary<string, DateTimeOffset> published)
    {
        for (var k = 0; k < group.Count; k++)
        {
            var request = group[k];
            if (k > 0)
            {
                await Eventually.WaitAsync(() =>
                {
                    var mine = ledger.Builds.Where(b => b.Spec.ApplicationId == request.App).ToList();
                    return Task.FromResult(mine.Count >= k && mine.All(b => !string.IsNullOrEmpty(b.Status?.Commit) || ChaosVerdict.IsAnswered(b)));
                }, TimeSpan.FromMinutes(10), $"the requests of {request.App} before #{k} to resolve their commit");
                await _github!.AddCommitAsync(request.Repo, ChaosMix.Files($"{request.App} {k}", slow: false).ToDictionary(f => f.Key, string? (f) => f.Value), request.Branch);
            }
            await _queues!.PublishManyThroughFaultsAsync(BuildQueue, [request.Body], TimeSpan.FromMinutes(3));
            published[request.Key] = DateTimeOffset.UtcNow;
        }
    }

    private async Task WaitBacklogAsync(ConcurrentDictionary<string, DateTimeOffset> published, int limit)
    {
        if (published.Count <= limit)
        {
            return;
        }
        await Eventually.WaitAsync(async () =>
        {
            var answered = (await Retry(ListBuildsAsync)).Count(ChaosVerdict.IsAnswered);
            return published.Count - answered <= limit;
        }, TimeSpan.FromMinutes(15), $"the backlog to fall to {limit} requests");
    }

    private static async Task WaitBuildsRunningAsync(ChaosFaults faults) =>
        await Eventually.WaitAsync(async () => (await Retry(faults.RunningBuildPodsAsync)).Count > 0, TimeSpan.FromMinutes(5), "a build container to run");

    private async Task<List<ImageBuild>> ListBuildsAsync() =>
        (await fixture.Kubernetes.CustomObjects.ListNamespacedCustomObjectAsync<ImageBuildList>(ImageBuild.Group, ImageBuild.Version, _ns, ImageBuild.Plural)).Items.ToList();

    /// <summary>Reads of the harness itself outlive an apiserver restart.</summary>
    private static async Task<T> Retry<T>(Func<Task<T>> read)
    {
        for (var i = 0; ; i++)
        {
            try
            {
                return await read();
            }
            catch (Exception e) when (i < 120 && e is HttpRequestException or IOException or k8s.Autorest.HttpOperationException { Response.StatusCode: >= System.Net.HttpStatusCode.InternalServerError })
            {
                await Task.Delay(500);
            }
        }
    }

    private static Task<bool> Retry(Func<Task> action) => Retry(async () =>
    {
        await action();
        return true;
    });

    private async Task<List<ImageBuild>> WaitAllAnsweredAsync(int expected, TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        List<ImageBuild> items = [];
        while (DateTime.UtcNow < deadline)
        {
            items = await Retry(ListBuildsAsync);
            if (items.Count >= expected && items.All(ChaosVerdict.IsAnswered))
            {
                return items;
            }
            await Task.Delay(TimeSpan.FromSeconds(2));
        }
        Log($"timed out after {within}: {items.Count} ImageBuilds, {items.Count(ChaosVerdict.IsAnswered)} answered; phases: "
            + string.Join(", ", items.GroupBy(b => b.Status?.Phase ?? "(none)").Select(g => $"{g.Key}={g.Count()}")));
        return items;
    }

    /// <summary>Messages left in the run's queues (build, fail and its delay tiers) once they had a minute to settle.</summary>
    private async Task<Dictionary<string, int>> WaitQueuesDrainedAsync()
    {
        var left = new Dictionary<string, int>(StringComparer.Ordinal);
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (true)
        {
            var lines = await PlatformFixture.RunAsync("rabbitmqctl", ["-q", "-n", "rabbit@localhost", "list_queues", "name", "messages"], TimeSpan.FromMinutes(1));
            left = lines.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(l => l.Split('\t', ' '))
                .Where(p => p.Length >= 2 && p[0].StartsWith(_prefix + ".", StringComparison.Ordinal) && int.TryParse(p[^1], CultureInfo.InvariantCulture, out var m) && m > 0)
                .ToDictionary(p => p[0], p => int.Parse(p[^1], CultureInfo.InvariantCulture), StringComparer.Ordinal);
            if (left.Count == 0 || DateTime.UtcNow > deadline)
            {
                return left;
            }
            await Task.Delay(TimeSpan.FromSeconds(2));
        }
    }

    /// <summary>RetryScheduled Events by the failure reason they name ("Attempt N failed (Reason): …").</summary>
    private async Task<SortedDictionary<string, int>> RetryEventsAsync()
    {
        var events = await Retry(() => fixture.Kubernetes.CoreV1.ListNamespacedEventAsync(_ns, fieldSelector: "reason=RetryScheduled"));
        return new SortedDictionary<string, int>(events.Items
            .Select(e => e.Message ?? "")
            .Select(m => m.IndexOf('(', StringComparison.Ordinal) is var open and >= 0 && m.IndexOf(')', open) is var close and > 0 ? m[(open + 1)..close] : "?")
            .GroupBy(r => r, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal), StringComparer.Ordinal);
    }

    public async Task DisposeAsync()
    {
        foreach (var op in _operators)
        {
            await op.DisposeAsync();
        }
        if (_proxy is not null)
        {
            await _proxy.DisposeAsync();
        }
        try
        {
            // Every queue of this run (delay tiers included) starts with the run's prefix.
            var names = await PlatformFixture.RunAsync("rabbitmqctl", ["-q", "-n", "rabbit@localhost", "list_queues", "name"], TimeSpan.FromMinutes(1));
            await _queues!.DeleteAsync(names.Split('\n', StringSplitOptions.TrimEntries).Where(q => q.StartsWith(_prefix + ".", StringComparison.Ordinal)));
        }
        catch (Exception e) when (e is RabbitMQ.Client.Exceptions.BrokerUnreachableException or InvalidOperationException or TimeoutException)
        {
            output.WriteLine($"could not delete the chaos queues: {e.Message}");
        }
        if (_queues is not null)
        {
            await _queues.DisposeAsync();
        }
        if (_github is not null)
        {
            await _github.DisposeAsync();
        }
        // The namespace goes with the fixture (CreateNamespaceAsync registered it); the scratch folder stays for reading.
    }
}
