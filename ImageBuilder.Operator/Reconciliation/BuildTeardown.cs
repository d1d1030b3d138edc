using System.Net;
using ImageBuilder.Operator.Api;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace ImageBuilder.Operator.Reconciliation;

/// <summary>
/// Ends what a build left running when it is stopped before its end (cancelled): its unfinished Jobs and the token
/// Secret it owns. Idempotent: what is already gone is fine.
/// </summary>
public sealed class BuildTeardown(IKubernetes kubernetes)
{
    /// <summary>Deletes the build's unfinished Jobs (their pods with them); returns their names.</summary>
    public async Task<IReadOnlyList<string>> DeleteUnfinishedJobsAsync(ImageBuild build, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(build);
        var ns = build.Metadata.NamespaceProperty;
        // Live list, not the cache: a Job created a moment ago (its status write lost) must go too.
        var jobs = await kubernetes.BatchV1.ListNamespacedJobAsync(ns,
            labelSelector: $"{Annotations.BuildLabel}={Annotations.LabelValue(build.Metadata.Name)}", cancellationToken: cancellationToken);
        var deleted = new List<string>();
        foreach (var job in jobs.Items.Where(j => j.Metadata.OwnerReferences?.Any(o => o.Uid == build.Metadata.Uid) == true && !IsFinished(j)))
        {
            try
            {
                // Background: the Job goes at once (freeing its slot), the garbage collector takes the pod.
                await kubernetes.BatchV1.DeleteNamespacedJobAsync(job.Metadata.Name, ns, propagationPolicy: "Background", cancellationToken: cancellationToken);
            }
            catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
            {
                // Already gone.
            }
            deleted.Add(job.Metadata.Name);
        }
        return deleted;
    }

    /// <summary>Deletes the token Secret when this build owns it (a user's shared Secret is left alone).</summary>
    public async Task DeleteOwnedTokenSecretAsync(ImageBuild build, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(build);
        if (build.Spec.Source.TokenSecretRef?.Name is not { Length: > 0 } name)
        {
            return;
        }
        var ns = build.Metadata.NamespaceProperty;
        try
        {
            var secret = await kubernetes.CoreV1.ReadNamespacedSecretAsync(name, ns, cancellationToken: cancellationToken);
            var owned = secret.Metadata.OwnerReferences?.Any(o => o.Uid == build.Metadata.Uid) == true
                || (secret.Metadata.Labels?.TryGetValue(Annotations.BuildLabel, out var owner) == true && owner == Annotations.LabelValue(build.Metadata.Name));
            if (owned)
            {
                await kubernetes.CoreV1.DeleteNamespacedSecretAsync(name, ns, cancellationToken: cancellationToken);
            }
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            // Already gone.
        }
    }

    private static bool IsFinished(V1Job job) => Admission.BuildSlots.IsFinished(job);
}
