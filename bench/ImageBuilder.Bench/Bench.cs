using System.Diagnostics;
using System.Text.Json;
using ImageBuilder.GitHubServer;
using ImageBuilder.Operator.Api;
using ImageBuilder.Testing;
using ImageBuilder.Testing.Operators;
using ImageBuilder.Testing.Queues;
using k8s;
using k8s.Models;

namespace ImageBuilder.Bench;

/// <summary>
/// The measurements of make bench, in one run against the development platform: the operator runs as its own process
/// on namespaces and queues of its own, the GitHub test server in this process.
/// </summary>
public sealed partial class Bench(PlatformEnvironment platform, string repoRoot, string workDir, BenchSizes sizes) : IDisposable
{
    private readonly Kubernetes _k8s = new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(platform.KubeConfig));
    private readonly string _run = Guid.NewGuid().ToString("N")[..8];
    private readonly List<string> _namespaces = [];
    private readonly List<string> _queues = [];
    private readonly Dictionary<string, object?> _results = new(StringComparer.Ordinal);
    private GitHubTestServer _github = null!;
    private int _operatorPid;
    private (string First, string Second) _compiled;

    public IReadOnlyDictionary<string, object?> Results => _results;

    public async Task RunAsync()
    {
        _github = await GitHubTestServer.StartAsync();
        await SampleRepository.CreateAsync(_github);
        if (sizes.Runs("warm_cold"))
        {
            var (_, first, second) = await CompiledSampleRepository.CreateAsync(_github);
            _compiled = (first, second);
        }
        _results["machine"] = $"{Environment.ProcessorCount} cpus, {Environment.OSVersion}";
        _results["operator_build"] = "Release, separate process";
        try
        {
            if (sizes.Runs("ingest"))
            {
                await MeasureIngestAsync();
            }
            if (sizes.Runs("queue_fairness"))
            {
                await MeasureQueueFairnessAsync();
            }
            if (BenchSizes.Figures.Any(f => f is not ("ingest" or "queue_fairness") && sizes.Runs(f)))
            {
                await MeasureMainAsync();
            }
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
        await using var op = await StartOperatorAsync(OperatorEnv(watched, ingest, prefix), Path.Combine(workDir, "operator-ingest.log"));
        await using var queues = await TestQueues.ConnectAsync(platform.Amqp);
        await queues.WaitForQueueAsync(prefix + ".build", TimeSpan.FromSeconds(60));
        var n = sizes.Ingest;

        // The bridge handles up to the prefetch at once: the bare loop runs at that concurrency too, so the ratio
        // measures the bridge's overhead, not parallelism.
        var concurrency = new ImageBuilder.Operator.Options.RabbitMqOptions().Prefetch;
        var bareClock = Stopwatch.StartNew();
        await Parallel.ForEachAsync(Enumerable.Range(0, n), new ParallelOptions { MaxDegreeOfParallelism = concurrency }, async (i, _) =>
        {
            // What the bridge writes per request: a token Secret and the ImageBuild referencing it.
            var name = $"bare-{i}";
            await BenchBuilds.CreateTokenSecretAsync(_k8s, bare, name + "-token");
            await BenchBuilds.CreateAsync(_k8s, BenchBuilds.New(bare, name, "ingest", name + "-token"));
        });
        var bareRate = n / bareClock.Elapsed.TotalSeconds;

        // Counted on watches (ADDED events), which cost the apiserver next to nothing: polling with LISTs would take
        // CPU from the apiserver the bridge is writing to, which the bare loop does not have to share.
        var builds = new System.Collections.Concurrent.ConcurrentDictionary<string, bool>(StringComparer.Ordinal);
        var secrets = new System.Collections.Concurrent.ConcurrentDictionary<string, bool>(StringComparer.Ordinal);
        using var stopWatching = new CancellationTokenSource();
        var watching = Task.WhenAll(
            CountAddedAsync(_k8s.CustomObjects.WatchListNamespacedCustomObjectAsync(ImageBuild.Group, ImageBuild.Version, ingest, ImageBuild.Plural, cancellationToken: stopWatching.Token), builds, stopWatching.Token),
            CountAddedAsync(_k8s.CoreV1.WatchListNamespacedSecretAsync(ingest, labelSelector: $"{Annotations.ManagedByLabel}={Annotations.ManagedByValue}", cancellationToken: stopWatching.Token), secrets, stopWatching.Token));
        await Task.Delay(500);
        await ProfileHook.BeginAsync("ingest", op.Pid);
        var bridgeClock = Stopwatch.StartNew();
        await queues.PublishManyAsync(prefix + ".build", Enumerable.Range(0, n).Select(i => RequestJson($"ingest{i}")));
        _results["ingest_publish_s"] = Stats.Round(bridgeClock.Elapsed.TotalSeconds);
        var count = 0;
        var lastProgress = Stopwatch.StartNew();
        while (count < n && lastProgress.Elapsed < TimeSpan.FromSeconds(30))
        {
            // A request counts once both its ImageBuild and its token Secret exist (the bridge writes the Secret second).
            var now = Math.Min(builds.Count, secrets.Count);
            if (now != count)
            {
                lastProgress.Restart();
            }
            count = now;
            await Task.Delay(count < n ? 5 : 0);
        }
        await stopWatching.CancelAsync();
        await watching;
        var bridgeRate = count / bridgeClock.Elapsed.TotalSeconds;
        _results["ingest_n"] = n;
        _results["ingest_concurrency"] = concurrency;
        _results["ingest_bridge_per_s"] = Stats.Round(bridgeRate, 1);
        _results["ingest_bare_per_s"] = Stats.Round(bareRate, 1);
        _results["ingest_ratio"] = Stats.Round(bridgeRate / bareRate);
        _results["lost"] = n - count;
        Console.WriteLine($"ingest: bridge {bridgeRate:0.0}/s, bare loop {bareRate:0.0}/s, lost {n - count}");
        await ProfileHook.EndAsync("ingest");
    }

    private static async Task CountAddedAsync<T>(IAsyncEnumerable<(WatchEventType, T)> events, System.Collections.Concurrent.ConcurrentDictionary<string, bool> names, CancellationToken stop)
    {
        try
        {
            await foreach (var (type, obj) in events)
            {
                if (type == WatchEventType.Added)
                {
                    var name = obj is JsonElement json ? json.GetProperty("metadata").GetProperty("name").GetString()! : ((IKubernetesObject<V1ObjectMeta>)obj!).Metadata.Name;
                    names.TryAdd(name, true);
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Done counting.
        }
    }

    private async Task MeasureMainAsync()
    {
        var ns = await NamespaceAsync("bench-main");
        var prefix = $"bench-{_run}-main";
        await BenchBuilds.CreateTokenSecretAsync(_k8s, ns, BenchBuilds.SharedTokenSecret);
        var env = OperatorEnv(ns, ns, prefix);
        // The scaling figures pile up N cache hits of one application (one image, so no real builds): superseding would
        // end all but the newest of them unbuilt, and retention would delete all but its per-application limit (at most
        // 10,000). Both are per-application policies; the figures here are what N ImageBuilds cost the cache and the
        // reconcile, so this operator runs without them (the ingest and fairness operators keep the defaults).
        env["Supersede__Enabled"] = "false";
        env["Retention__Enabled"] = "false";
        await using var op = await StartOperatorAsync(env, Path.Combine(workDir, "operator-main.log"));
        await using var queues = await TestQueues.ConnectAsync(platform.Amqp);
        await queues.WaitForQueueAsync(prefix + ".build", TimeSpan.FromSeconds(60));
        _results["rss_mb_idle"] = Stats.Round(op.RssMb(), 1);
        _results["rss_parts_mb_idle"] = op.RssParts();

        var warmApp = $"bench-{_run}-warm";
        if (sizes.Runs("cache_hit") || sizes.Runs("rss") || sizes.Runs("throughput"))
        {
            // The image the cache hits and the RSS builds find already pushed.
            await BenchBuilds.CreateAsync(_k8s, BenchBuilds.New(ns, "warmup", warmApp, BenchBuilds.SharedTokenSecret));
            var warm = await BenchBuilds.WaitTerminalAsync(_k8s, ns, "warmup", TimeSpan.FromMinutes(5));
            Require(warm, "the warm-up build");
        }
        if (sizes.Runs("cache_hit"))
        {
            await MeasureCacheHitAsync(ns, warmApp);
        }
        if (sizes.Runs("reconcile"))
        {
            var (p50, p99) = await MeasureReconcileAsync(ns, "idle");
            _results["reconcile_p50_ms"] = p50;
            _results["reconcile_p99_ms"] = p99;
        }
        if (sizes.Runs("e2e"))
        {
            await MeasureEndToEndAsync(ns, prefix, queues);
        }
        if (sizes.Runs("throughput"))
        {
            await MeasureThroughputAsync(ns, prefix, queues);
        }
        if (sizes.Runs("warm_cold"))
        {
            await MeasureWarmColdAsync(ns);
        }
        if (sizes.Runs("rss"))
        {
            await MeasureScalingAsync(ns, warmApp, op);
        }
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

    /// <summary>
    /// ImageBuild created → its Job seen on a watch, one at a time, <c>BENCH_RECONCILE_N</c> samples (each a real build of
    /// a new application); nearest-rank p50 and p99 in ms. <paramref name="label"/> names the samples (idle, busy, a size).
    /// </summary>
    private async Task<(double P50, double P99)> MeasureReconcileAsync(string ns, string label)
    {
        var seen = new System.Collections.Concurrent.ConcurrentDictionary<string, long>(StringComparer.Ordinal);
        using var stop = new CancellationTokenSource();
        var watch = WatchJobsAsync(ns, seen, stop.Token);
        await Task.Delay(500);
        // Only the idle samples can be profiled (bench/profile.sh reconcile-idle); the hook ignores other labels.
        await ProfileHook.BeginAsync("reconcile-" + label, _operatorPid);
        var samples = new List<double>();
        for (var i = 0; i < sizes.Reconcile; i++)
        {
            var name = $"rec-{label}-{i}";
            var started = Stopwatch.GetTimestamp();
            await BenchBuilds.CreateAsync(_k8s, BenchBuilds.New(ns, name, $"bench-{_run}-rec{label}{i}", BenchBuilds.SharedTokenSecret));
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
        await ProfileHook.EndAsync("reconcile-" + label);
        await stop.CancelAsync();
        await watch;
        _results["reconcile_n"] = samples.Count;
        Console.WriteLine($"reconcile {label} (created → Job): p50 {Stats.Percentile(samples, 50):0.0} ms, p99 {Stats.Percentile(samples, 99):0.0} ms");
        foreach (var i in Enumerable.Range(0, sizes.Reconcile))
        {
            await BenchBuilds.WaitTerminalAsync(_k8s, ns, $"rec-{label}-{i}", TimeSpan.FromMinutes(5));
        }
        return (Math.Round(Stats.Percentile(samples, 50), 1), Math.Round(Stats.Percentile(samples, 99), 1));
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

    /// <summary>
    /// Publish → BuildResponse on the container-manager queue (unique application, so a real build of demo/hello with
    /// an empty registry cache), split by what the build's pod and BuildKit report; and raw BuildKit on the host.
    /// </summary>
    private async Task MeasureEndToEndAsync(string ns, string prefix, TestQueues queues)
    {
        var totals = new List<double>();
        var overheads = new List<double>();
        var steps = new List<double>();
        var buildContainer = new List<double>();
        var outsidePod = new List<double>();
        var phases = new Dictionary<string, List<double>>(StringComparer.Ordinal);
        for (var i = 0; i < sizes.Samples; i++)
        {
            var app = $"bench-{_run}-e2e{i}";
            var published = DateTimeOffset.UtcNow;
            var clock = Stopwatch.StartNew();
            await queues.PublishAsync(prefix + ".build", RequestJson(app));
            var response = await WaitForResponseAsync(queues, prefix + ".cm", app);
            var total = clock.Elapsed.TotalSeconds;
            var answered = published + clock.Elapsed;
            if (response.Status != BuildResponse.StatusSuccess)
            {
                throw new InvalidOperationException($"the build of {app} failed: {JsonSerializer.Serialize(response)}");
            }
            // The response can be published before the ImageBuild's status says Succeeded: wait for it (untimed).
            var name = response.ImageBuild.Split('/')[1];
            var build = await BenchBuilds.WaitTerminalAsync(_k8s, ns, name, TimeSpan.FromMinutes(1));
            Require(build, name);
            var job = build.Status!.Job!;
            var (stepSeconds, _) = await StepsOfAsync(ns, job);
            totals.Add(total);
            steps.Add(stepSeconds);
            overheads.Add(total - stepSeconds);
            buildContainer.Add(await BenchBuilds.ContainerSecondsAsync(_k8s, ns, job, "build"));
            outsidePod.Add(total - await BenchBuilds.ContainerSecondsAsync(_k8s, ns, job));
            // Where the time goes, on the host's clock (the node's Docker engine keeps nanoseconds; the kubelet, seconds).
            var pod = await BenchBuilds.PodTimelineAsync(_k8s, ns, job);
            var (sandbox, fetch, buildkit) = (pod["POD"].Started, pod["fetch"], pod["build"]);
            foreach (var (key, seconds) in new[]
            {
                ("publish_to_pod_sandbox", sandbox - published),
                ("pod_sandbox_to_fetch", fetch.Started - sandbox),
                ("fetch_container", fetch.Finished - fetch.Started),
                ("fetch_to_build", buildkit.Started - fetch.Finished),
                ("build_container", buildkit.Finished - buildkit.Started),
                ("build_to_response", answered - buildkit.Finished),
            })
            {
                (phases.TryGetValue(key, out var list) ? list : phases[key] = []).Add(seconds.TotalSeconds);
            }
        }
        _results["e2e_phases_s"] = phases.ToDictionary(p => p.Key, p => Stats.Round(Stats.Median(p.Value)));
        _results["e2e_s"] = Stats.Round(Stats.Median(totals));
        _results["e2e_s_samples"] = totals.Select(s => Stats.Round(s)).ToArray();
        _results["e2e_overhead_s"] = Stats.Round(Stats.Median(overheads));
        _results["e2e_overhead_s_samples"] = overheads.Select(s => Stats.Round(s)).ToArray();
        _results["e2e_steps_s"] = Stats.Round(Stats.Median(steps));
        _results["e2e_build_container_s"] = Stats.Round(Stats.Median(buildContainer));
        _results["e2e_outside_containers_s"] = Stats.Round(Stats.Median(outsidePod));
        Console.WriteLine($"e2e: median {Stats.Median(totals):0.00}s, overhead (total - Dockerfile steps) {Stats.Median(overheads):0.00}s, " +
            $"build container {Stats.Median(buildContainer):0.00}s, outside the pod's containers {Stats.Median(outsidePod):0.00}s");
        try
        {
            var raw = new List<double>();
            for (var i = 0; i < sizes.Samples; i++)
            {
                raw.Add(await RawBuildKitAsync($"raw{i}"));
            }
            _results["raw_buildctl_s"] = Stats.Round(Stats.Median(raw));
            _results["raw_buildctl_s_samples"] = raw.Select(s => Stats.Round(s)).ToArray();
            _results["e2e_vs_raw_ratio"] = Stats.Round(Stats.Median(totals) / Stats.Median(raw));
            Console.WriteLine($"raw buildctl-daemonless.sh build+push on the host: median {Stats.Median(raw):0.00}s");
        }
        catch (Exception e) when (e is InvalidOperationException or TimeoutException or IOException)
        {
            // The operator's figures stand without the baseline; say why it is missing.
            _results["raw_buildctl_error"] = e.Message;
            Console.Error.WriteLine($"raw BuildKit baseline failed: {e.Message}");
        }
    }

    /// <summary>
    /// The registry cache through the operator, on demo/compiled: cold = the first commit under a new application (a
    /// new image repository, so its cache ref <c>REPO:buildcache</c> is empty); warm = the second commit (only
    /// src/main.c changed) of the same application, in a new pod whose BuildKit state is empty, so only the
    /// <c>--import-cache</c> of the registry cache can spare the work. Time = the build container's (node's Docker
    /// engine, nanoseconds): BuildKit's start, the build, the push and the cache export.
    /// </summary>
    private async Task MeasureWarmColdAsync(string ns)
    {
        var warm = new List<double>();
        var cold = new List<double>();
        var warmJob = new List<double>();
        var coldJob = new List<double>();
        var warmCached = new List<double>();
        var coldSteps = new List<double>();
        var warmSteps = new List<double>();
        for (var i = 0; i < sizes.Samples; i++)
        {
            var app = $"bench-{_run}-wc{i}";
            foreach (var (name, commit, times, jobs) in new[] { ($"cold-{i}", _compiled.First, cold, coldJob), ($"warm-{i}", _compiled.Second, warm, warmJob) })
            {
                await BenchBuilds.CreateAsync(_k8s, BenchBuilds.New(ns, name, app, BenchBuilds.SharedTokenSecret, CompiledSampleRepository.FullName, commit, 900));
                var build = await BenchBuilds.WaitTerminalAsync(_k8s, ns, name, TimeSpan.FromMinutes(16));
                Require(build, name);
                times.Add(await BenchBuilds.ContainerSecondsAsync(_k8s, ns, build.Status!.Job!, "build"));
                jobs.Add(await BenchBuilds.JobSecondsAsync(_k8s, ns, build.Status.Job!));
                var (stepSeconds, cached) = await StepsOfAsync(ns, build.Status.Job!);
                (commit == _compiled.First ? coldSteps : warmSteps).Add(stepSeconds);
                if (commit == _compiled.Second)
                {
                    warmCached.Add(cached);
                }
            }
            Console.WriteLine($"warm/cold sample {i}: cold {cold[^1]:0.00}s, warm {warm[^1]:0.00}s ({warmCached[^1]} steps from the registry cache)");
        }
        _results["warm_cold_samples"] = sizes.Samples;
        _results["cold_container_s"] = Stats.Round(Stats.Median(cold));
        _results["cold_container_s_samples"] = cold.Select(s => Stats.Round(s)).ToArray();
        _results["warm_container_s"] = Stats.Round(Stats.Median(warm));
        _results["warm_container_s_samples"] = warm.Select(s => Stats.Round(s)).ToArray();
        _results["warm_cold_ratio"] = Stats.Round(Stats.Median(warm) / Stats.Median(cold));
        _results["cold_job_s"] = Stats.Round(Stats.Median(coldJob));
        _results["warm_job_s"] = Stats.Round(Stats.Median(warmJob));
        _results["warm_cold_job_ratio"] = Stats.Round(Stats.Median(warmJob) / Stats.Median(coldJob));
        _results["cold_steps_s"] = Stats.Round(Stats.Median(coldSteps));
        _results["warm_steps_s"] = Stats.Round(Stats.Median(warmSteps));
        _results["warm_cached_steps"] = Stats.Round(Stats.Median(warmCached), 0);
        Console.WriteLine($"warm/cold build container: {Stats.Median(warm):0.00}s / {Stats.Median(cold):0.00}s = {Stats.Median(warm) / Stats.Median(cold):0.000}");
    }

    /// <summary>Seconds of the Dockerfile's steps in the build container's BuildKit log, and how many were CACHED.</summary>
    private async Task<(double Seconds, double Cached)> StepsOfAsync(string ns, string job)
    {
        var log = await BenchBuilds.ContainerLogAsync(_k8s, ns, job, "build");
        // Kept beside the operator's logs, to check the figures against BuildKit's own output.
        await File.WriteAllTextAsync(Path.Combine(workDir, $"{job}.buildkit.log"), log);
        var vertices = BuildKitProgress.Vertices(log);
        if (!vertices.Any(v => BuildKitProgress.IsStep(v.Name)))
        {
            throw new InvalidOperationException($"no Dockerfile step in the BuildKit log of Job {ns}/{job}:\n{log}");
        }
        return (BuildKitProgress.StepSeconds(log), BuildKitProgress.CachedSteps(log));
    }

    /// <summary>
    /// N requests of N distinct applications (new image repositories: real builds) published at once → all N BuildResponses
    /// read; against N × a lone build's wall time (the median <c>e2e_s</c> of this run, or one lone build). While they
    /// run, the reconcile latency is sampled (<c>reconcile_p99_ms_busy</c>).
    /// </summary>
    private async Task MeasureThroughputAsync(string ns, string prefix, TestQueues queues)
    {
        var n = sizes.Throughput;
        double lone;
        if (_results.TryGetValue("e2e_s", out var e2e) && e2e is double measured)
        {
            lone = measured;
        }
        else
        {
            var app = $"bench-{_run}-lone";
            var clock = Stopwatch.StartNew();
            await queues.PublishAsync(prefix + ".build", RequestJson(app));
            await WaitForResponseAsync(queues, prefix + ".cm", app);
            lone = clock.Elapsed.TotalSeconds;
        }
        var apps = Enumerable.Range(0, n).Select(i => $"bench-{_run}-tp{i}").ToHashSet(StringComparer.Ordinal);
        var answered = new Dictionary<string, string>(StringComparer.Ordinal);
        var total = Stopwatch.StartNew();
        await queues.PublishManyAsync(prefix + ".build", apps.Select(RequestJson));
        // Sample the reconcile latency once the builds are under way (half of their Jobs exist).
        var busy = Task.Run(async () =>
        {
            var until = DateTime.UtcNow.AddSeconds(60);
            while (DateTime.UtcNow < until && (await _k8s.BatchV1.ListNamespacedJobAsync(ns, labelSelector: Annotations.AttemptLabel)).Items.Count(j => j.Metadata.CreationTimestamp > DateTime.UtcNow.AddMinutes(-2)) < n / 2)
            {
                await Task.Delay(200);
            }
            return await MeasureReconcileAsync(ns, "busy");
        });
        var deadline = DateTime.UtcNow.AddMinutes(15);
        while (answered.Count < n && DateTime.UtcNow < deadline)
        {
            foreach (var message in await queues.DrainAsync(prefix + ".cm"))
            {
                var response = JsonSerializer.Deserialize<BuildResponse>(message.Split('\n')[0])!;
                if (response.ApplicationId is { } app && apps.Contains(app))
                {
                    answered[app] = response.Status;
                }
            }
            await Task.Delay(50);
        }
        var seconds = total.Elapsed.TotalSeconds;
        var (_, busyP99) = await busy;
        _results["reconcile_p99_ms_busy"] = busyP99;
        _results["throughput_n"] = n;
        _results["throughput_s"] = Stats.Round(seconds, 1);
        _results["throughput_failed"] = answered.Count(a => a.Value != BuildResponse.StatusSuccess) + (n - answered.Count);
        _results["throughput_builds_per_min"] = Stats.Round(answered.Count / (seconds / 60), 1);
        _results["throughput_lone_s"] = Stats.Round(lone);
        _results["throughput_vs_serial"] = Stats.Round(n * lone / seconds, 2);
        Console.WriteLine($"throughput: {answered.Count}/{n} answered in {seconds:0.0}s ({answered.Count / (seconds / 60):0.0}/min), {n * lone / seconds:0.00}x serial; reconcile p99 while busy {busyP99} ms");
    }

    /// <summary>
    /// Cost as ImageBuilds accumulate: for each size of <c>BENCH_SCALE</c>, create cache hits of the warm-up image (nothing
    /// is built) up to that many, wait until all settled (terminal: Succeeded, or Superseded by notification order), then read the operator's RSS and sample the reconcile
    /// latency with them present. settle_per_s = the batch ÷ the time from its first create to all of it terminal.
    /// </summary>
    private async Task MeasureScalingAsync(string ns, string app, OperatorProcess op)
    {
        var points = new List<Dictionary<string, double>>();
        if (_results.GetValueOrDefault("rss_mb_idle") is double idleRss && _results.GetValueOrDefault("reconcile_p99_ms") is double idleP99)
        {
            // The curve's start: the operator right after start, and the idle reconcile latency.
            points.Add(new Dictionary<string, double>(StringComparer.Ordinal) { ["n"] = 0, ["rss_mb"] = idleRss, ["reconcile_p99_ms"] = idleP99 });
        }
        var present = 0;
        await using var phases = new PhaseWatch(_k8s, ns);
        foreach (var target in sizes.Scale)
        {
            var batch = target - present;
            var before = await op.MetricsAsync();
            var apiserver = ProcessMeasures.ApiServerPid();
            // The first batch is the one bench/profile.sh settle traces.
            var profiled = present == 0;
            if (profiled)
            {
                await ProfileHook.BeginAsync("settle", op.Pid);
            }
            var (operatorCpu, apiserverCpu) = (op.CpuSeconds(), apiserver is { } a0 ? ProcessMeasures.CpuSecondsOf(a0) : double.NaN);
            var clock = Stopwatch.StartNew();
            await Parallel.ForEachAsync(Enumerable.Range(present, batch), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, ct) =>
                await BenchBuilds.CreateAsync(_k8s, BenchBuilds.New(ns, $"rss-{i}", app, BenchBuilds.SharedTokenSecret)));
            present = target;
            var created = clock.Elapsed.TotalSeconds;
            var (total, terminal) = (0, 0);
            // At least BENCH_RSS_MINUTES, and long enough for 5 settled per second.
            var deadline = DateTime.UtcNow.AddSeconds(Math.Max(sizes.RssMinutes * 60, batch / 5.0));
            var progress = Stopwatch.StartNew();
            while (DateTime.UtcNow < deadline)
            {
                (total, terminal) = phases.Counts;
                if (terminal == total && total >= target)
                {
                    break;
                }
                if (progress.Elapsed > TimeSpan.FromMinutes(1))
                {
                    // A long wait says where it stands, so a stuck point is seen before its deadline.
                    Console.WriteLine($"scale {target}: {terminal} of {total} terminal after {clock.Elapsed.TotalSeconds:0}s (watch relisted {phases.Relists} times)");
                    progress.Restart();
                }
                await Task.Delay(100);
            }
            var settled = clock.Elapsed.TotalSeconds;
            // CPU per settled build, of the operator and of the apiserver: on a shared 2-core machine the rate is bound by
            // the CPU the processes get, and these say how much each build costs whatever the load.
            _results[$"settle_operator_cpu_ms_per_build_{target}"] = Stats.Round((op.CpuSeconds() - operatorCpu) / batch * 1000, 2);
            _results[$"settle_apiserver_cpu_ms_per_build_{target}"] = apiserver is { } a1 ? Stats.Round((ProcessMeasures.CpuSecondsOf(a1) - apiserverCpu) / batch * 1000, 2) : null;
            _results[$"load_average_{target}"] = File.ReadAllText("/proc/loadavg").Split(' ')[0];
            // After the CPU figures, so the trace's stop and rundown are not counted in them.
            if (profiled)
            {
                await ProfileHook.EndAsync("settle");
            }
            await Task.Delay(5000);
            var rss = op.RssMb();
            var after = await op.MetricsAsync();
            const string Reconciles = "imagebuilder_reconcile_duration_seconds";
            var passes = after[Reconciles + "_count"] - before[Reconciles + "_count"];
            // Where the settle time goes: reconciles per build and the mean time of one (the workers run Controller:Workers at once).
            _results[$"settle_reconciles_per_build_{target}"] = Stats.Round(passes / batch, 2);
            _results[$"settle_reconcile_mean_ms_{target}"] = Stats.Round((after[Reconciles + "_sum"] - before[Reconciles + "_sum"]) / passes * 1000, 1);
            _results[$"rss_parts_mb_{target}"] = op.RssParts();
            _results[$"rss_mb_{target}"] = Stats.Round(rss, 1);
            _results[$"rss_n_{target}"] = total;
            _results[$"rss_n_terminal_{target}"] = terminal;
            _results[$"create_s_{target}"] = Stats.Round(created, 1);
            _results[$"settle_per_s_{target}"] = Stats.Round(batch / settled, 1);
            Console.WriteLine($"scale {target}: {total} ImageBuilds ({terminal} terminal), batch of {batch} created in {created:0.0}s, settled in {settled:0.0}s ({batch / settled:0.0}/s); RSS {rss:0.0} MiB; watch relisted {phases.Relists} times");
            await RunRssHookAsync(op, target);
            var (p50, p99) = await MeasureReconcileAsync(ns, target.ToString(System.Globalization.CultureInfo.InvariantCulture));
            _results[$"reconcile_p50_ms_{target}"] = p50;
            _results[$"reconcile_p99_ms_{target}"] = p99;
            points.Add(new Dictionary<string, double>(StringComparer.Ordinal) { ["n"] = target, ["rss_mb"] = Math.Round(rss, 1), ["reconcile_p99_ms"] = p99, ["settle_per_s"] = Math.Round(batch / settled, 1) });
        }
        _results["scaling"] = points;
        if (points.Count >= 2)
        {
            var (a, b) = (points[^2], points[^1]);
            // Between the two largest sizes: the marginal cost, past the code the first builds JIT-compile.
            _results["rss_slope_mb_per_1000"] = Stats.Round((b["rss_mb"] - a["rss_mb"]) / ((b["n"] - a["n"]) / 1000), 2);
            // The figure of the goal: the largest batch, as the issue's 5,041 builds were one batch.
            _results["settle_per_s"] = points.MaxBy(p => p["n"])!.GetValueOrDefault("settle_per_s");
        }
        await MeasureCacheCostAsync(ns);
    }

    /// <summary>
    /// BENCH_RSS_HOOK: a shell command run at each scaling size once the RSS is read (before the reconcile samples), with
    /// BENCH_OPERATOR_PID and BENCH_N set, while the ImageBuilds stay present: bench/memprofile.sh collects a heap
    /// dump and the GC counters there. A hook that fails fails the run, as its figures would be missing.
    /// </summary>
    private static async Task RunRssHookAsync(OperatorProcess op, int target)
    {
        if (Environment.GetEnvironmentVariable("BENCH_RSS_HOOK") is not { Length: > 0 } hook)
        {
            return;
        }
        var psi = new ProcessStartInfo("bash", ["-c", hook]);
        psi.Environment["BENCH_OPERATOR_PID"] = op.Pid.ToString(System.Globalization.CultureInfo.InvariantCulture);
        psi.Environment["BENCH_N"] = target.ToString(System.Globalization.CultureInfo.InvariantCulture);
        using var process = Process.Start(psi) ?? throw new InvalidOperationException("could not start BENCH_RSS_HOOK");
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(10));
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"BENCH_RSS_HOOK exited with {process.ExitCode} at {target} ImageBuilds");
        }
    }

    /// <summary>
    /// What one ImageBuild costs in the cache, in this process (no other allocation in between, so exact): managed bytes
    /// per object for up to 1,000 of this run's Succeeded builds as the informer used to keep them (whole), as it keeps a
    /// live one (metadata trimmed), and as it keeps one that is over (terminal, notified, cleaned up).
    /// </summary>
    private async Task MeasureCacheCostAsync(string ns)
    {
        var list = await _k8s.CustomObjects.ListNamespacedCustomObjectAsync<ImageBuildList>(ImageBuild.Group, ImageBuild.Version, ns, ImageBuild.Plural, limit: 1000);
        var json = list.Items.Select(b => KubernetesJson.Serialize(b)).ToList();
        var whole = BytesPerObject(json, b => b);
        var live = BytesPerObject(json, b =>
        {
            // The same object, as the cache keeps it while the build is not over yet.
            b.Status!.CleanedUp = null;
            return ImageBuilder.Operator.Reconciliation.ImageBuildCacheTrim.Trim(b);
        });
        var terminal = BytesPerObject(json, ImageBuilder.Operator.Reconciliation.ImageBuildCacheTrim.Trim);
        _results["cache_bytes_per_build_whole"] = Math.Round(whole);
        _results["cache_bytes_per_build_live"] = Math.Round(live);
        _results["cache_bytes_per_build_terminal"] = Math.Round(terminal);
        Console.WriteLine($"cache bytes per ImageBuild ({json.Count}): whole {whole:0}, live {live:0}, terminal {terminal:0}");
    }

    private static double BytesPerObject(List<string> json, Func<ImageBuild, ImageBuild> keep)
    {
        // Warm up first (interned strings, JSON metadata caches), so the measured pass counts the objects alone.
        _ = json.Take(10).Select(j => keep(KubernetesJson.Deserialize<ImageBuild>(j))).ToList();
        var before = GC.GetTotalMemory(forceFullCollection: true);
        var kept = json.Select(j => keep(KubernetesJson.Deserialize<ImageBuild>(j))).ToArray();
        var after = GC.GetTotalMemory(forceFullCollection: true);
        GC.KeepAlive(kept);
        return (after - before) / (double)kept.Length;
    }

    /// <summary>
    /// The same context (demo/hello) built and pushed by <c>buildctl-daemonless.sh</c> on the host, with the BuildKit
    /// binaries the platform built (BENCH_BUILDKIT_BIN), the same import/export cache flags, a fresh state folder and a
    /// new image repository (so, like the operator's build of a new application, an empty cache). As root, so
    /// buildkitd runs without rootlesskit; in a mount namespace of its own, so its fixed socket folder
    /// /run/buildkit is private to this build.
    /// </summary>
    private async Task<double> RawBuildKitAsync(string tag)
    {
        var bin = Environment.GetEnvironmentVariable("BENCH_BUILDKIT_BIN") ?? throw new InvalidOperationException("BENCH_BUILDKIT_BIN is not set (scripts/bench.sh sets it)");
        var dir = Directory.CreateTempSubdirectory("bench-raw-").FullName;
        try
        {
            var context = Directory.CreateDirectory(Path.Combine(dir, "context")).FullName;
            foreach (var (path, content) in SampleRepository.Files)
            {
                await File.WriteAllTextAsync(Path.Combine(context, path), content);
            }
            var config = Path.Combine(dir, "buildkitd.toml");
            await File.WriteAllTextAsync(config, $"[registry.\"{platform.Registry}\"]\n  http = true\n  insecure = true\n");
            var docker = Directory.CreateDirectory(Path.Combine(dir, "docker")).FullName;
            var auth = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{platform.RegistryUser}:{platform.RegistryPassword}"));
            await File.WriteAllTextAsync(Path.Combine(docker, "config.json"), JsonSerializer.Serialize(new { auths = new Dictionary<string, object> { [platform.Registry] = new { auth } } }));
            Directory.CreateDirectory("/run/buildkit");
            var repository = $"{platform.Registry}/bench/raw-{_run}-{tag}";
            const string script = """
                mount -t tmpfs none /run/buildkit && exec buildctl-daemonless.sh build --progress=plain --frontend dockerfile.v0 \
                  --local context="$1" --local dockerfile="$1" \
                  --output "type=image,name=$2:1,push=true,registry.insecure=true" \
                  --import-cache "type=registry,ref=$2:buildcache,registry.insecure=true" \
                  --export-cache "type=registry,ref=$2:buildcache,mode=max,ignore-error=true,registry.insecure=true"
                """;
            var clock = Stopwatch.StartNew();
            await PlatformFixture.RunAsync("/usr/bin/env",
                [$"PATH={bin}:{Environment.GetEnvironmentVariable("PATH")}", $"DOCKER_CONFIG={docker}", $"BUILDKITD_FLAGS=--root={dir}/root --config={config}",
                 "unshare", "--mount", "--propagation", "private", "sh", "-c", script, "sh", context, repository],
                TimeSpan.FromMinutes(5));
            return clock.Elapsed.TotalSeconds;
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

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

    private Dictionary<string, string> OperatorEnv(string watched, string target, string prefix) => OperatorConfiguration.Environment(OperatorConfiguration.Merge(
        OperatorConfiguration.Platform(platform, _github.BaseUrl),
        OperatorConfiguration.Scope(watched, prefix, prefix, target),
        new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            // The operator's own logging is not what the figures measure.
            ["Logging:LogLevel:Default"] = "Warning",
            // The figures below measure one build's path, many of one user at once: the build slots (queue_fairness sets
            // its own) would turn them into queue waits.
            ["Build:MaxConcurrentBuilds"] = "1000",
            ["Build:MaxConcurrentBuildsPerUser"] = "1000",
            // As the operator's image sets it (ImageBuilder.Operator.csproj, deploy/images/operator/Dockerfile): the
            // runtime reads it only from the environment, so the bench's operator would otherwise run without it.
            ["DOTNET_GCgen0size"] = "0x400000",
        }, OperatorOverrides()));

    /// <summary>
    /// BENCH_OPERATOR_&lt;NAME&gt;=value starts the operators with NAME=value (e.g. BENCH_OPERATOR_DOTNET_GCConserveMemory=5),
    /// so runtime settings can be compared on the same bench without a rebuild and without touching the bench's own process.
    /// </summary>
    private static Dictionary<string, string?> OperatorOverrides()
    {
        const string Prefix = "BENCH_OPERATOR_";
        var overrides = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (System.Collections.DictionaryEntry variable in Environment.GetEnvironmentVariables())
        {
            if (variable.Key is string key && key.StartsWith(Prefix, StringComparison.Ordinal) && key.Length > Prefix.Length)
            {
                overrides[key[Prefix.Length..]] = variable.Value as string;
            }
        }
        return overrides;
    }

    /// <summary>The Release build of the operator as its own process (as make run starts it), once it leads.</summary>
    private async Task<OperatorProcess> StartOperatorAsync(Dictionary<string, string> env, string logFile)
    {
        var op = await OperatorProcess.StartLeaderAsync(Path.Combine(repoRoot, "ImageBuilder.Operator/bin/Release/net10.0/ImageBuilder.Operator.dll"), env, logFile, TimeSpan.FromSeconds(60));
        _operatorPid = op.Pid;
        return op;
    }

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
            catch (HttpRequestException e)
            {
                // The apiserver is away (another user of the shared platform restarted it): say what is left behind
                // rather than hide the measurement's own error behind this one.
                Console.Error.WriteLine($"could not delete namespace {ns} ({e.Message}): delete it with kubectl");
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
