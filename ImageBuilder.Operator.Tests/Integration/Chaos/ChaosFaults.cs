using System.Diagnostics;
using ImageBuilder.Operator.Api;
using k8s;
using k8s.Models;

namespace ImageBuilder.Operator.Tests.Integration.Chaos;

/// <summary>
/// The platform faults of the soak, each through the platform's own means: services are stopped and started by
/// scripts/services.sh (by pid, one service at a time; never down or reset), build pods are killed through the node's
/// container engine (SIGKILL of the build container: a crash) or the apiserver (a forced delete: an eviction).
/// Every fault is logged on <see cref="Timeline"/> with its start, duration and what it hit.
/// </summary>
public sealed class ChaosFaults(PlatformFixture fixture, string ns, Stopwatch clock, Action<string> log)
{
    public List<Dictionary<string, object?>> Timeline { get; } = [];

    public Dictionary<string, int> Counts { get; } = new(StringComparer.Ordinal)
    {
        ["leader_kills"] = 0,
        ["broker_restarts"] = 0,
        ["registry_restarts"] = 0,
        ["apiserver_restarts"] = 0,
        ["build_pods_killed"] = 0,
        ["connection_cuts"] = 0,
    };

    public Task RestartBrokerAsync() => RunAsync("broker_restarts", "RabbitMQ node stopped and started (services.sh restart rabbitmq)", () => ServicesAsync("restart", "rabbitmq"));

    public Task RestartApiserverAsync() => RunAsync("apiserver_restarts", "kube-apiserver stopped and started (services.sh restart kube-apiserver)", () => ServicesAsync("restart", "kube-apiserver"));

    /// <summary>Stops the registry for <paramref name="down"/> while builds run (the caller waits for running build containers).</summary>
    public Task StopRegistryAsync(TimeSpan down, int buildsRunning) =>
        RunAsync("registry_restarts", $"registry stopped for {down.TotalSeconds:0} s with {buildsRunning} build containers running (services.sh stop registry, up registry)", async () =>
        {
            await ServicesAsync("stop", "registry");
            try
            {
                // The outage itself: its length is the fault, not a wait for a state.
                await Task.Delay(down);
            }
            finally
            {
                await ServicesAsync("up", "registry");
            }
        });

    public async Task CutConnectionsAsync(ChaosProxy proxy)
    {
        var cut = 0;
        await RunAsync("connection_cuts", "", () =>
        {
            cut = proxy.CutAll();
            return Task.CompletedTask;
        });
        Timeline[^1]["detail"] = $"{cut} operator connections to RabbitMQ reset at the proxy";
        if (cut == 0)
        {
            throw new InvalidOperationException("the proxy had no connection to cut: the operators do not talk to RabbitMQ through it");
        }
    }

    public void RecordLeaderKill(string holder, string next, double failoverSeconds, int inFlight)
    {
        Counts["leader_kills"]++;
        Timeline.Add(new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["at_s"] = Math.Round(clock.Elapsed.TotalSeconds - failoverSeconds, 1),
            ["fault"] = "leader_kills",
            ["detail"] = $"SIGKILL of {holder} with {inFlight} requests in flight; {next} led after {failoverSeconds:0.0} s",
            ["duration_s"] = Math.Round(failoverSeconds, 2),
        });
    }

    /// <summary>
    /// Kills up to <paramref name="count"/> build containers that are running, those of <paramref name="preferApps"/> (the slow
    /// builds' ImageBuilds) first, alternately by SIGKILL through Docker and by a forced pod delete. Waits up to
    /// <paramref name="within"/> for one to run; returns the ImageBuilds hit.
    /// </summary>
    public async Task<List<string>> KillBuildPodsAsync(int count, IReadOnlySet<string> preferApps, TimeSpan within)
    {
        var hit = new List<string>();
        var started = clock.Elapsed;
        var deadline = DateTime.UtcNow + within;
        while (hit.Count < count && DateTime.UtcNow < deadline)
        {
            var running = (await RunningBuildPodsAsync()).Where(p => !hit.Contains(p.Build, StringComparer.Ordinal)).ToList();
            var victim = running.FirstOrDefault(p => preferApps.Contains(p.App));
            if (victim.Pod is null && (running.Count == 0 || DateTime.UtcNow < deadline - within / 2))
            {
                // Give a slow build the first half of the time to start; then any running build will do.
                await Task.Delay(250);
                continue;
            }
            victim = victim.Pod is null ? running[0] : victim;
            var counted = Counts["build_pods_killed"];
            var how = counted % 2 == 0 ? "SIGKILL of the build container (docker kill)" : "forced delete of the pod (grace 0)";
            if (counted % 2 == 0)
            {
                var ids = await PlatformFixture.RunAsync("docker", ["ps", "-q", "--filter", $"label=io.kubernetes.pod.namespace={ns}", "--filter", $"label=io.kubernetes.pod.name={victim.Pod}", "--filter", "label=io.kubernetes.container.name=build"], TimeSpan.FromSeconds(30));
                var id = ids.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault();
                if (id is null)
                {
                    continue;
                }
                try
                {
                    await PlatformFixture.RunAsync("docker", ["kill", "--signal", "KILL", id], TimeSpan.FromSeconds(30));
                }
                catch (InvalidOperationException e) when (e.Message.Contains("is not running", StringComparison.Ordinal))
                {
                    // The build ended between the look and the kill: pick another.
                    continue;
                }
            }
            else
            {
                try
                {
                    await fixture.Kubernetes.CoreV1.DeleteNamespacedPodAsync(victim.Pod, ns, new V1DeleteOptions { GracePeriodSeconds = 0 }, gracePeriodSeconds: 0);
                }
                catch (k8s.Autorest.HttpOperationException e) when (e.Response.StatusCode == System.Net.HttpStatusCode.NotFound)
                {
                    continue;
                }
            }
            Counts["build_pods_killed"]++;
            hit.Add(victim.Build);
            Timeline.Add(new Dictionary<string, object?>(StringComparer.Ordinal)
            {
                ["at_s"] = Math.Round(clock.Elapsed.TotalSeconds, 1),
                ["fault"] = "build_pods_killed",
                ["detail"] = $"{how}: pod {victim.Pod} of {victim.Build}, build container running for {victim.RunningFor:0.0} s",
                ["duration_s"] = 0.0,
            });
            log($"killed build pod {victim.Pod} ({how})");
        }
        if (hit.Count == 0)
        {
            throw new TimeoutException($"no build container ran within {within} after {started}: nothing to kill");
        }
        return hit;
    }

    /// <summary>Build pods whose build container runs now: (pod, owning ImageBuild, its application, seconds it has run).</summary>
    public async Task<List<(string Pod, string Build, string App, double RunningFor)>> RunningBuildPodsAsync()
    {
        var pods = await fixture.Kubernetes.CoreV1.ListNamespacedPodAsync(ns, labelSelector: Annotations.BuildLabel);
        var running = pods.Items
            .Where(p => p.Metadata.DeletionTimestamp is null)
            .Select(p => (Pod: p, Build: p.Status?.ContainerStatuses?.FirstOrDefault(c => c.Name == "build")))
            .Where(p => p.Build?.State?.Running?.StartedAt is not null)
            .ToList();
        if (running.Count == 0)
        {
            return [];
        }
        var builds = await fixture.Kubernetes.CustomObjects.ListNamespacedCustomObjectAsync<ImageBuildList>(ImageBuild.Group, ImageBuild.Version, ns, ImageBuild.Plural);
        var apps = builds.Items.ToDictionary(b => Annotations.LabelValue(b.Metadata.Name), b => (b.Metadata.Name, App: b.Spec.ApplicationId ?? ""), StringComparer.Ordinal);
        var now = DateTime.UtcNow;
        return running
            .Select(p => (p.Pod.Metadata.Name, Label: p.Pod.Metadata.Labels[Annotations.BuildLabel], (now - p.Build!.State.Running.StartedAt!.Value).TotalSeconds))
            .Where(p => apps.ContainsKey(p.Label))
            .Select(p => (p.Name, apps[p.Label].Name, apps[p.Label].App, p.TotalSeconds))
            .ToList();
    }

    private async Task RunAsync(string counter, string detail, Func<Task> fault)
    {
        var at = clock.Elapsed.TotalSeconds;
        log($"{at:0.0}s fault {counter}: {detail}");
        var watch = Stopwatch.StartNew();
        await fault();
        Counts[counter]++;
        Timeline.Add(new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["at_s"] = Math.Round(at, 1),
            ["fault"] = counter,
            ["detail"] = detail,
            ["duration_s"] = Math.Round(watch.Elapsed.TotalSeconds, 2),
        });
    }

    private Task<string> ServicesAsync(string verb, string service) =>
        PlatformFixture.RunAsync("bash", [Path.Combine(fixture.RepoRoot, "scripts", "services.sh"), verb, service], TimeSpan.FromMinutes(4));
}
