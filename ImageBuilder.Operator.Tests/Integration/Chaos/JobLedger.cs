using System.Collections.Concurrent;
using ImageBuilder.Operator.Api;
using k8s;

namespace ImageBuilder.Operator.Tests.Integration.Chaos;

/// <summary>
/// Every build Job ever seen in the namespace (polled every second, so a Job pruned after it finished still counts)
/// with its owning ImageBuild and whether it succeeded.
/// </summary>
public sealed class JobLedger(IKubernetes kubernetes, string ns)
{
    private readonly ConcurrentDictionary<string, (string Owner, bool Succeeded)> _jobs = new(StringComparer.Ordinal);

    public IReadOnlyDictionary<string, (string Owner, bool Succeeded)> Jobs => _jobs;

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
            catch (HttpRequestException)
            {
                // The apiserver hiccuped; the next sample catches up.
            }
        }
    }

    public async Task SampleAsync(CancellationToken cancellationToken)
    {
        var jobs = await kubernetes.BatchV1.ListNamespacedJobAsync(ns, cancellationToken: cancellationToken);
        foreach (var job in jobs.Items)
        {
            var owner = job.Metadata.OwnerReferences?.FirstOrDefault(o => o.Kind == ImageBuild.KindName)?.Name ?? "";
            var succeeded = (job.Status?.Succeeded ?? 0) > 0;
            _jobs.AddOrUpdate(job.Metadata.Name, (owner, succeeded), (_, old) => (owner, old.Succeeded || succeeded));
        }
    }
}
