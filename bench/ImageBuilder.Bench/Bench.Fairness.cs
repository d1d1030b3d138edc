using System.Collections.Concurrent;
using System.Diagnostics;
using ImageBuilder.Operator.Api;
using ImageBuilder.Testing.Queues;

namespace ImageBuilder.Bench;

/// <summary>queue_fairness_wait_s: one user's burst fills the build slots, another user's single request arrives.</summary>
public sealed partial class Bench
{
    private const int FairnessSlots = 2;

    /// <summary>
    /// With <see cref="FairnessSlots"/> build slots, user A submits <see cref="BenchSizes.FairnessBurst"/> builds; once both
    /// slots are taken, user B submits one. The figure is B's create call → its Job's ADDED event on a Job watch: the
    /// fair queue promises at most one build's time, which <c>queue_fairness_build_s</c> (A's builds, Job made → pushed)
    /// gives for comparison. The burst is not waited for: deleting the namespace ends it.
    /// </summary>
    private async Task MeasureQueueFairnessAsync()
    {
        var ns = await NamespaceAsync("bench-fair");
        var prefix = $"bench-{_run}-fair";
        _queues.AddRange(new[] { ".build", ".fail", ".cm", ".kusanali" }.Select(s => prefix + s));
        await BenchBuilds.CreateTokenSecretAsync(_k8s, ns, BenchBuilds.SharedTokenSecret);
        var env = OperatorEnv(ns, ns, prefix);
        env["Build__MaxConcurrentBuilds"] = FairnessSlots.ToString(System.Globalization.CultureInfo.InvariantCulture);
        env["Build__MaxConcurrentBuildsPerUser"] = FairnessSlots.ToString(System.Globalization.CultureInfo.InvariantCulture);
        await using var op = await StartOperatorAsync(env, Path.Combine(workDir, "operator-fairness.log"));
        await using (var queues = await TestQueues.ConnectAsync(platform.Amqp))
        {
            await queues.WaitForQueueAsync(prefix + ".build", TimeSpan.FromSeconds(60));
        }
        var seen = new ConcurrentDictionary<string, long>(StringComparer.Ordinal);
        using var stop = new CancellationTokenSource();
        var watch = WatchJobsAsync(ns, seen, stop.Token);
        try
        {
            for (var i = 0; i < sizes.FairnessBurst; i++)
            {
                // A new application each: every build is a real one, none a cache hit of another.
                await BenchBuilds.CreateAsync(_k8s, WithUser(BenchBuilds.New(ns, $"burst-{i}", $"bench-{_run}-burst{i}", BenchBuilds.SharedTokenSecret), "busy-user"));
            }
            await WaitAsync(() => seen.Count >= FairnessSlots, TimeSpan.FromMinutes(2), "the burst to take every build slot");

            var created = Stopwatch.GetTimestamp();
            await BenchBuilds.CreateAsync(_k8s, WithUser(BenchBuilds.New(ns, "lone", $"bench-{_run}-lone", BenchBuilds.SharedTokenSecret), "lone-user"));
            await WaitAsync(() => seen.ContainsKey("lone"), TimeSpan.FromMinutes(5), "the lone build's Job");
            var wait = Stopwatch.GetElapsedTime(created, seen["lone"]).TotalSeconds;
            var before = seen.Count(p => p.Value < seen["lone"]);

            var durations = new List<double>();
            foreach (var name in seen.Where(p => p.Key.StartsWith("burst-", StringComparison.Ordinal) && p.Value < seen["lone"]).Select(p => p.Key))
            {
                var build = await BenchBuilds.WaitTerminalAsync(_k8s, ns, name, TimeSpan.FromMinutes(5));
                if (build.Status is { Phase: Phases.Succeeded, StartTime: { } start, CompletionTime: { } end })
                {
                    durations.Add((end - start).TotalSeconds);
                }
            }
            _results["queue_fairness_wait_s"] = Stats.Round(wait);
            _results["queue_fairness_build_s"] = durations.Count > 0 ? Stats.Round(Stats.Median(durations)) : null;
            _results["queue_fairness_slots"] = FairnessSlots;
            _results["queue_fairness_burst_n"] = sizes.FairnessBurst;
            _results["queue_fairness_jobs_before_lone"] = before;
            Console.WriteLine($"queue fairness: lone build waited {wait:0.0}s for a slot behind a burst of {sizes.FairnessBurst} ({before} Jobs started before it; a burst build takes {(durations.Count > 0 ? Stats.Median(durations) : double.NaN):0.0}s)");
        }
        finally
        {
            await stop.CancelAsync();
            await watch;
        }
    }

    private static ImageBuild WithUser(ImageBuild build, string user)
    {
        build.Spec.UserId = user;
        return build;
    }

    private static async Task WaitAsync(Func<bool> condition, TimeSpan within, string what)
    {
        var deadline = Stopwatch.StartNew();
        while (!condition())
        {
            if (deadline.Elapsed > within)
            {
                throw new TimeoutException($"waited {within} for {what}");
            }
            await Task.Delay(20);
        }
    }
}
