using System.Diagnostics;
using System.Text.Json;
using ImageBuilder.Operator.Api;
using ImageBuilder.Operator.Tests.GitHubServer;
using ImageBuilder.Operator.Tests.Integration.Evidence;
using k8s;
using k8s.Models;

namespace ImageBuilder.Bench;

/// <summary>
/// The measurements of make bench, in one run against the development platform: the operator runs as its own process
/// on namespaces and queues of its own, the GitHub test server in this process.
/// </summary>
public sealed class Bench(BenchPlatform platform, string repoRoot, string workDir, BenchSizes sizes) : IDisposable
{
    private readonly Kubernetes _k8s = new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(platform.KubeConfig));
    private readonly string _run = Guid.NewGuid().ToString("N")[..8];
    private readonly List<string> _namespaces = [];
    private readonly List<string> _queues = [];
    private readonly Dictionary<string, object?> _results = new(StringComparer.Ordinal);
    private GitHubTestServer _github = null!;

    public IReadOnlyDictionary<string, object?> Results => _results;

    public async Task RunAsync()
    {
        _github = await GitHubTestServer.StartAsync();
        await SampleRepository.CreateAsync(_github);
        _results["machine"] = $"{Environment.ProcessorCount} cpus, {Environment.OSVersion}";
        _results["operator_build"] = "Release, separate process";
        try
        {
            await MeasureIngestAsync();
            await MeasureMainAsync();
        }
        finally
        {
            await CleanupAsync();
        }
    }

    private async Task MeasureIngestAsync()
    {
        var watched = await NamespaceAsync("bench-idle");
        var ingest = await NamespaceAsync("bench-ingest");
        var bare = await NamespaceAsync("bench-bare");
        var prefix = $"bench-{_run}-ingest";
        // The controller watches an empty namespace: the bridge's writes are measured alone, not competing with reconciles.
        await using var op = await OperatorProcess.StartAsync(repoRoot, OperatorEnv(watched, ingest, prefix), Path.Combine(workDir, "operator-ingest.log"));
        await using var queues = await TestQueues.ConnectAsync(platform.Amqp);
        await queues.WaitForQueueAsync(prefix + ".build", TimeSpan.FromSeconds(60));
        var n = sizes.Ingest;

        var bareClock = Stopwatch.StartNew();
        for (var i = 0; i < n; i++)
        {
            // What the bridge writes per request: a token Secret and the ImageBuild referencing it.
            var name = $"bare-{i}";
            await BenchBuilds.CreateTokenSecretAsync(_k8s, bare, name + "-token");
            await BenchBuilds.CreateAsync(_k8s, BenchBuilds.New(bare, name, "ingest", name + "-token"));
        }
        var bareRate = n / bareClock.Elapsed.TotalSeconds;

        var bridgeClock = Stopwatch.StartNew();
        await queues.PublishManyAsync(prefix + ".build", Enumerable.Range(0, n).Select(i => RequestJson($"ingest{i}")));
        _results["ingest_publish_s"] = Stats.Round(bridgeClock.Elapsed.TotalSeconds);
        var count = 0;
        var lastProgress = Stopwatch.StartNew();
        while (count < n && lastProgress.Elapsed < TimeSpan.FromSeconds(30))
        {
            var now = await BenchBuilds.CountAsync(_k8s, ingest);
            if (now != count)
            {
                lastProgress.Restart();
            }
            count = now;
            await Task.Delay(count < n ? 50 : 0);
        }
        var bridgeRate = count / bridgeClock.Elapsed.TotalSeconds;
        _results["ingest_n"] = n;
        _results["ingest_bridge_per_s"] = Stats.Round(bridgeRate, 1);
        _results["ingest_bare_per_s"] = Stats.Round(bareRate, 1);
        _results["ingest_ratio"] = Stats.Round(bridgeRate / bareRate);
        _results["lost"] = n - count;
        Console.WriteLine($"ingest: bridge {bridgeRate:0.0}/s, bare loop {bareRate:0.0}/s, lost {n - count}");
    }

    private async Task MeasureMainAsync()
    {
        var ns = await NamespaceAsync("bench-main");
        var prefix = $"bench-{_run}-main";
        await BenchBuilds.CreateTokenSecretAsync(_k8s, ns, BenchBuilds.SharedTokenSecret);
        await using var op = await OperatorProcess.StartAsync(repoRoot, OperatorEnv(ns, ns, prefix), Path.Combine(workDir, "operator-main.log"));
        await using var queues = await TestQueues.ConnectAsync(platform.Amqp);
        await queues.WaitForQueueAsync(prefix + ".build", TimeSpan.FromSeconds(60));
        _results["rss_mb_idle"] = Stats.Round(op.RssMb(), 1);

        var warmApp = $"bench-{_run}-warm";
        await BenchBuilds.CreateAsync(_k8s, BenchBuilds.New(ns, "warmup", warmApp, BenchBuilds.SharedTokenSecret));
        var warm = await BenchBuilds.WaitTerminalAsync(_k8s, ns, "warmup", TimeSpan.FromMinutes(5));
        Require(warm, "the warm-up build");

        await MeasureCacheHitAsync(ns, warmApp);
        await MeasureReconcileAsync(ns);
        await MeasureEndToEndAsync(ns, prefix, queues);
        await MeasureWarmColdAsync(ns);
        await MeasureRssAsync(ns, warmApp, op);
    }

    private async Task MeasureCacheHitAsync(string ns, string app)
    {
        var samples = new List<double>();
        for (var i = 0; i < sizes.Samples; i++)
        {
            var clock = Stopwatch.StartNew();
            await BenchBuilds.CreateAsync(_k8s, BenchBuilds.New(ns, $"hit-{i}", app, BenchBuilds.SharedTokenSecret));
            Require(await BenchBuilds.WaitTerminalAsync(_k8s, ns, $"hit-{i}", TimeSpan.FromMinutes(1)), "a cache hit");
            samples.Add(clock.Elapsed.TotalSeconds);
        }
        _results["cache_hit_s"] = Stats.Round(Stats.Median(samples));
        _results["cache_hit_s_samples"] = samples.Select(s => Stats.Round(s)).ToArray();
        Console.WriteLine($"cache hit: median {Stats.Median(samples):0.000}s");
    }

    /// <summary>ImageBuild created → its Job seen on a watch, one at a time (an idle operator's latency).</summary>
    private async Task MeasureReconcileAsync(string ns)
    {
        var seen = new System.Collections.Concurrent.ConcurrentDictionary<string, long>(StringComparer.Ordinal);
        using var stop = new CancellationTokenSource();
        var watch = WatchJobsAsync(ns, seen, stop.Token);
        await Task.Delay(500);
        var samples = new List<double>();
        for (var i = 0; i < sizes.Reconcile; i++)
        {
            var name = $"rec-{i}";
            var started = Stopwatch.GetTimestamp();
            await BenchBuilds.CreateAsync(_k8s, BenchBuilds.New(ns, name, $"bench-{_run}-rec{i}", BenchBuilds.SharedTokenSecret));
            var deadline = DateTime.UtcNow.AddSeconds(60);
            long at;
            while (!seen.TryGetValue(name, out at))
            {
                if (DateTime.UtcNow > deadline)
                {
                    throw new TimeoutException($"no Job for {name} within 60 s");
                }
                await Task.Delay(2);
            }
            samples.Add(Stopwatch.GetElapsedTime(started, at).TotalMilliseconds);
        }
        await stop.CancelAsync();
        await watch;
        _results["reconcile_n"] = samples.Count;
        _results["reconcile_p50_ms"] = Stats.Round(Stats.Percentile(samples, 50), 1);
        _results["reconcile_p99_ms"] = Stats.Round(Stats.Percentile(samples, 99), 1);
        Console.WriteLine($"reconcile (created → Job): p50 {Stats.Percentile(samples, 50):0.0} ms, p99 {Stats.Percentile(samples, 99):0.0} ms");
        foreach (var i in Enumerable.Range(0, sizes.Reconcile))
        {
            await BenchBuilds.WaitTerminalAsync(_k8s, ns, $"rec-{i}", TimeSpan.FromMinutes(5));
        }
    }

    private async Task WatchJobsAsync(string ns, System.Collections.Concurrent.ConcurrentDictionary<string, long> seen, CancellationToken stop)
    {
        try
        {
            await foreach (var (type, job) in _k8s.BatchV1.WatchListNamespacedJobAsync(ns, cancellationToken: stop))
            {
                if (type == WatchEventType.Added && job.Metadata.OwnerReferences?.FirstOrDefault(o => o.Kind == ImageBuild.KindName) is { } owner)
                {
                    seen.TryAdd(owner.Name, Stopwatch.GetTimestamp());
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Done measuring.
        }
    }

    /// <summary>Publish → pushed → notified on the container-manager queue, minus the Job's container time; and raw docker.</summary>
    private async Task MeasureEndToEndAsync(string ns, string prefix, TestQueues queues)
    {
        var totals = new List<double>();
        var overheads = new List<double>();
        for (var i = 0; i < sizes.Samples; i++)
        {
            var app = $"bench-{_run}-e2e{i}";
            var clock = Stopwatch.StartNew();
            await queues.PublishAsync(prefix + ".build", RequestJson(app));
            var response = await WaitForResponseAsync(queues, prefix + ".cm", app);
            var total = clock.Elapsed.TotalSeconds;
            var name = response.ImageBuild.Split('/')[1];
            var build = await _k8s.CustomObjects.GetNamespacedCustomObjectAsync<ImageBuild>(ImageBuild.Group, ImageBuild.Version, ns, ImageBuild.Plural, name);
            var container = await BenchBuilds.ContainerSecondsAsync(_k8s, ns, build.Status!.Job!);
            totals.Add(total);
            overheads.Add(total - container);
        }
        var raw = new List<double>();
        for (var i = 0; i < sizes.Samples; i++)
        {
            raw.Add(await RawDockerBuildAsync($"raw{i}"));
        }
        _results["e2e_s"] = Stats.Round(Stats.Median(totals));
        _results["e2e_overhead_s"] = Stats.Round(Stats.Median(overheads));
        _results["e2e_overhead_s_samples"] = overheads.Select(s => Stats.Round(s)).ToArray();
        _results["raw_docker_build_push_s"] = Stats.Round(Stats.Median(raw));
        _results["e2e_vs_raw_ratio"] = Stats.Round(Stats.Median(totals) / Stats.Median(raw));
        Console.WriteLine($"e2e: median {Stats.Median(totals):0.00}s (overhead {Stats.Median(overheads):0.00}s); raw docker build+push {Stats.Median(raw):0.00}s");
    }

    /// <summary>
    /// The docker strategy's layer cache is the node's Docker engine: warm = a new image of an already-built context
    /// (every layer cached); cold = a commit whose first layer after FROM is new, so every later layer rebuilds.
    /// </summary>
    private async Task MeasureWarmColdAsync(string ns)
    {
        var warm = new List<double>();
        var cold = new List<double>();
        var files = SampleRepository.Files.ToDictionary(f => f.Key, string? (f) => f.Value);
        for (var i = 0; i < sizes.Samples; i++)
        {
            var w = await BenchBuilds.CreateAsync(_k8s, BenchBuilds.New(ns, $"warm-{i}", $"bench-{_run}-w{i}", BenchBuilds.SharedTokenSecret));
            warm.Add(await ContainerSecondsOfAsync(ns, w.Metadata.Name));
            // Cold: the commit changes a step right after FROM.
            files["Dockerfile"] = SampleRepository.Files["Dockerfile"].Replace("COPY app.sh", $"RUN echo {Guid.NewGuid():N} > /stamp\nCOPY app.sh", StringComparison.Ordinal);
            await _github.AddCommitAsync(SampleRepository.FullName, files);
            var c = await BenchBuilds.CreateAsync(_k8s, BenchBuilds.New(ns, $"cold-{i}", $"bench-{_run}-c{i}", BenchBuilds.SharedTokenSecret));
            cold.Add(await ContainerSecondsOfAsync(ns, c.Metadata.Name));
        }
        _results["warm_container_s"] = Stats.Round(Stats.Median(warm));
        _results["cold_container_s"] = Stats.Round(Stats.Median(cold));
        _results["warm_cold_ratio"] = Stats.Round(Stats.Median(warm) / Stats.Median(cold));
        Console.WriteLine($"warm/cold container time: {Stats.Median(warm):0.00}s / {Stats.Median(cold):0.00}s");
    }

    private async Task<double> ContainerSecondsOfAsync(string ns, string name)
    {
        var build = await BenchBuilds.WaitTerminalAsync(_k8s, ns, name, TimeSpan.FromMinutes(5));
        Require(build, name);
        return await BenchBuilds.ContainerSecondsAsync(_k8s, ns, build.Status!.Job!);
    }

    /// <summary>Operator RSS with N ImageBuilds present (all cache hits of the warm-up image, so nothing is built).</summary>
    private async Task MeasureRssAsync(string ns, string app, OperatorProcess op)
    {
        var n = sizes.Rss;
        var clock = Stopwatch.StartNew();
        await Parallel.ForEachAsync(Enumerable.Range(0, n), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, ct) =>
            await BenchBuilds.CreateAsync(_k8s, BenchBuilds.New(ns, $"rss-{i}", app, BenchBuilds.SharedTokenSecret)));
        var created = clock.Elapsed.TotalSeconds;
        var (total, terminal) = (0, 0);
        var deadline = DateTime.UtcNow.AddMinutes(sizes.RssMinutes);
        while (DateTime.UtcNow < deadline)
        {
            (total, terminal) = await BenchBuilds.CountTerminalAsync(_k8s, ns);
            if (terminal == total)
            {
                break;
            }
            await Task.Delay(2000);
        }
        await Task.Delay(5000);
        _results["rss_n"] = total;
        _results["rss_n_terminal"] = terminal;
        _results["rss_mb_" + n] = Stats.Round(op.RssMb(), 1);
        _results["rss_create_s"] = Stats.Round(created, 1);
        _results["rss_settle_s"] = Stats.Round(clock.Elapsed.TotalSeconds, 1);
        Console.WriteLine($"rss with {total} ImageBuilds ({terminal} terminal): {op.RssMb():0.0} MiB");
    }

    /// <summary>
    /// docker build + push of the same context on the host's engine. The host's CLI has no buildx, so this is the classic
    /// builder (DOCKER_BUILDKIT=0) while the Job's CLI uses BuildKit on the same engine; both reuse the engine's layer cache.
    /// </summary>
    private async Task<double> RawDockerBuildAsync(string tag)
    {
        var context = Directory.CreateTempSubdirectory("bench-raw-").FullName;
        var config = Directory.CreateTempSubdirectory("bench-docker-").FullName;
        try
        {
            foreach (var (path, content) in SampleRepository.Files)
            {
                await File.WriteAllTextAsync(Path.Combine(context, path), content);
            }
            await DockerAsync(config, ["login", "-u", platform.RegistryUser, "--password-stdin", platform.Registry], platform.RegistryPassword);
            var image = $"{platform.Registry}/bench/raw-{_run}:{tag}";
            var clock = Stopwatch.StartNew();
            await DockerAsync(config, ["build", "--network", "host", "-q", "-t", image, context]);
            await DockerAsync(config, ["push", "-q", image]);
            return clock.Elapsed.TotalSeconds;
        }
        finally
        {
            Directory.Delete(context, true);
            Directory.Delete(config, true);
        }
    }

    private static Task<string> DockerAsync(string config, string[] args, string? stdin = null) =>
        ImageBuilder.Operator.Tests.Integration.PlatformFixture.RunAsync("/usr/bin/env", [$"DOCKER_CONFIG={config}", "DOCKER_BUILDKIT=0", "docker", .. args], TimeSpan.FromMinutes(3), stdin);

    private static async Task<BuildResponse> WaitForResponseAsync(TestQueues queues, string queue, string app)
    {
        var deadline = DateTime.UtcNow.AddMinutes(5);
        while (DateTime.UtcNow < deadline)
        {
            foreach (var message in await queues.DrainAsync(queue))
            {
                var response = JsonSerializer.Deserialize<BuildResponse>(message.Split('\n')[0])!;
                if (response.ApplicationId == app)
                {
                    return response;
                }
            }
            await Task.Delay(20);
        }
        throw new TimeoutException($"no BuildResponse for {app} within 5 minutes");
    }

    private static void Require(ImageBuild build, string what)
    {
        if (build.Status?.Phase != Phases.Succeeded)
        {
            throw new InvalidOperationException($"{what} did not succeed: {KubernetesJson.Serialize(build.Status)}");
        }
    }

    private static string RequestJson(string app) => JsonSerializer.Serialize(new Dictionary<string, string>
    {
        ["applicationID"] = app,
        ["token"] = SampleRepository.Token,
        ["userID"] = "18008",
        ["type"] = "repo",
        ["connector"] = "github",
        ["repo"] = SampleRepository.FullName,
        ["branch"] = "main",
    });

    private Dictionary<string, string> OperatorEnv(string watched, string target, string prefix) => new(StringComparer.Ordinal)
    {
        ["KUBECONFIG"] = platform.KubeConfig,
        ["Controller__Namespace"] = watched,
        ["Controller__LeaderElection__LeaseNamespace"] = watched,
        ["Controller__LeaderElection__LeaseName"] = prefix,
        ["GitHub__ApiUrl"] = _github.BaseUrl.AbsoluteUri,
        ["Build__Strategy"] = "buildkit",
        ["Build__Registry"] = platform.Registry,
        ["Build__RegistryUsername"] = platform.RegistryUser,
        ["Build__RegistryPassword"] = platform.RegistryPassword,
        ["Build__Images__Fetch"] = "imagebuilder/fetch:dev",
        ["Build__Images__Nixpacks"] = "imagebuilder/fetch:dev",
        ["Build__Images__BuildKit"] = ImageBuilder.Operator.Tests.Integration.OperatorHost.OperatorHost.DevBuildKitImage,
        ["Build__HostNetwork"] = "true",
        ["Build__InsecureRegistries__0"] = platform.Registry,
        ["Build__ImagePullPolicy"] = "IfNotPresent",
        ["RabbitMq__Uri"] = platform.Amqp.ToString(),
        ["RabbitMq__BuildQueue"] = prefix + ".build",
        ["RabbitMq__FailQueue"] = prefix + ".fail",
        ["RabbitMq__ContainerManagerQueue"] = prefix + ".cm",
        ["RabbitMq__KusanaliQueue"] = prefix + ".kusanali",
        ["RabbitMq__TargetNamespace"] = target,
    };

    private async Task<string> NamespaceAsync(string prefix)
    {
        var name = $"{prefix}-{_run}";
        await _k8s.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = name, Labels = new Dictionary<string, string> { ["imagebuilder.bench"] = "true" } } });
        _namespaces.Add(name);
        foreach (var suffix in new[] { ".build", ".fail", ".cm", ".kusanali" })
        {
            _queues.Add($"bench-{_run}-{(prefix == "bench-main" ? "main" : "ingest")}{suffix}");
        }
        return name;
    }

    private async Task CleanupAsync()
    {
        foreach (var ns in _namespaces)
        {
            try
            {
                await _k8s.CoreV1.DeleteNamespaceAsync(ns);
            }
            catch (k8s.Autorest.HttpOperationException e)
            {
                Console.Error.WriteLine($"could not delete namespace {ns}: {e.Response.StatusCode}");
            }
        }
        try
        {
            await DeleteQueuesAsync();
        }
        catch (RabbitMQ.Client.Exceptions.BrokerUnreachableException e)
        {
            Console.Error.WriteLine($"could not delete the bench queues ({e.Message}): {string.Join(", ", _queues.Distinct())}");
        }
        await _github.DisposeAsync();
    }

    private async Task DeleteQueuesAsync()
    {
        await using var queues = await TestQueues.ConnectAsync(platform.Amqp);
        var all = _queues.Distinct().ToList();
        all.AddRange(all.Where(q => q.EndsWith(".fail", StringComparison.Ordinal)).SelectMany(q => new[] { q + ".delay.10s", q + ".delay.60s", q + ".delay.300s", q + ".delay.1800s" }).ToList());
        await queues.DeleteAsync(all);
    }

    public void Dispose() => _k8s.Dispose();
}
