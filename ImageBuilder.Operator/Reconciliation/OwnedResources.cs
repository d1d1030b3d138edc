using System.Net;
using ImageBuilder.Operator.Api;
using ImageBuilder.Operator.Controllers;
using k8s;
using k8s.Autorest;

namespace ImageBuilder.Operator.Reconciliation;

/// <summary>Deletes what a build owns: its token Secret, its build Jobs. Idempotent: what is already gone is fine.</summary>
public static class OwnedResources
{
    /// <summary>Deletes the token Secret, only when it belongs to this build: a user's shared Secret is left alone.</summary>
    public static async Task DeleteTokenSecretAsync(IKubernetes kubernetes, ImageBuild build, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(kubernetes);
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

    /// <summary>Deletes every build Job of this build, running or not; background propagation takes the pods with them.</summary>
    public static async Task<int> DeleteJobsAsync(IKubernetes kubernetes, ImageBuild build, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(kubernetes);
        ArgumentNullException.ThrowIfNull(build);
        var ns = build.Metadata.NamespaceProperty;
        // Live list: a Job created a moment ago may not be in the informer yet, and it would build for nothing.
        var jobs = await kubernetes.BatchV1.ListNamespacedJobAsync(ns, labelSelector: ControllerServiceCollectionExtensions.ManagedJobsSelector, cancellationToken: cancellationToken);
        var deleted = 0;
        foreach (var job in jobs.Items.Where(j => j.Metadata.OwnerReferences?.Any(o => o.Uid == build.Metadata.Uid) == true))
        {
            try
            {
                await kubernetes.BatchV1.DeleteNamespacedJobAsync(job.Metadata.Name, ns, propagationPolicy: "Background", cancellationToken: cancellationToken);
                deleted++;
            }
            catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
            {
                // Deleted meanwhile.
            }
        }
        return deleted;
    }
}
