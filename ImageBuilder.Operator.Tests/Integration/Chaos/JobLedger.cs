using System.Collections.Concurrent;
using ImageBuilder.Operator.Api;
using k8s;

namespace ImageBuilder.Operator.Tests.Integration.Chaos;

/// <summary>
/// Every build Job ever seen in the namespace (polled every second, so a Job pruned after it finished still counts)
/// with its owning ImageBuild and whether it succeeded; and every failed attempt an ImageBuild's status showed
/// (lastFailure, keyed by build and attempt), so retries are counted by their reason even when an Event is lost.
/// </summary>
public sealed class JobLedger(IKubernetes kubernetes, string ns)
{
    private readonly ConcurrentDictionary<string, (string Owner, bool Succeeded)> _jobs = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string Build, int Attempt), BuildFailure> _failures = new();

    public IReadOnlyDictionary<string, (string Owner, bool Succeeded)> Jobs => _jobs;

    public IReadOnlyDictionary<(string Build, int Attempt), BuildFailure> Failures => _failures;

    /// <summary>The ImageBuilds of the last sample.</summary>
    public IReadOnlyList<ImageBuild> Builds { get; private set; } = [];

    /// <summary>Jobs seen that have not succeeded or failed yet, at the last sample.</summary>
    public int Active { get; private set; }

    public async Task RunAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await SampleAsync(stop);
                await Task.Delay(TimeSpan.FromSeconds(1), stop);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is HttpRequestException or k8s.Autorest.HttpOperationException or IOException)
            {
                // The apiserver is restarting (a fault of the soak); the next sample catches up.
                await Task.Delay(TimeSpan.FromSeconds(1), CancellationToken.None);
            }
        }
    }

    public async Task SampleAsync(CancellationToken cancellationToken)
    {
        var jobs = await kubernetes.BatchV1.ListNamespacedJobAsync(ns, cancellationToken: cancellationToken);
        var active = 0;
        foreach (var job in jobs.Items)
        {
            var owner = job.Metadata.OwnerReferences?.FirstOrDefault(o => o.Kind == ImageBuild.KindName)?.Name ?? "";
            var succeeded = (job.Status?.Succeeded ?? 0) > 0;
            if (!succeeded && (job.Status?.Failed ?? 0) == 0)
            {
                active++;
            }
            _jobs.AddOrUpdate(job.Metadata.Name, (owner, succeeded), (_, old) => (owner, old.Succeeded || succeeded));
        }
        Active = active;
        var builds = await kubernetes.CustomObjects.ListNamespacedCustomObjectAsync<ImageBuildList>(ImageBuild.Group, ImageBuild.Version, ns, ImageBuild.Plural, cancellationToken: cancellationToken);
        Builds = builds.Items.ToList();
        foreach (var build in builds.Items)
        {
            if (build.Status?.LastFailure is { } failure)
            {
                _failures.TryAdd((build.Metadata.Name, failure.Attempt), failure);
            }
        }
    }
}
