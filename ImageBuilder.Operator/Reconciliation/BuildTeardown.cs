using System.Net;
using ImageBuilder.Operator.Api;
using ImageBuilder.Operator.Controllers.Client;
using k8s.Autorest;
using k8s.Models;

namespace ImageBuilder.Operator.Reconciliation;

/// <summary>
/// Deletes what a build owns when it ends early (cancelled, superseded) or is cleaned up: its build Jobs and the token
/// Secret it owns. The one place for "which objects are this build's". Idempotent: what is already gone is fine.
/// </summary>
public sealed class BuildTeardown(
    IObjectLister<V1Job> jobs,
    IObjectDeleter<V1Job> jobDeleter,
    IObjectReader<V1Secret> secrets,
    IObjectDeleter<V1Secret> secretDeleter)
{
    /// <summary>Deletes every build Job of the build, running or not (their pods go in the background); returns their names.</summary>
    public async Task<IReadOnlyList<string>> DeleteJobsAsync(ImageBuild build, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(build);
        var ns = build.Metadata.NamespaceProperty;
        // Live list, not the cache: a Job created a moment ago (its status write lost) would otherwise build for nothing.
        // Matched by owner, not by the build-name label: a name may be longer than a label value can be.
        var owned = (await jobs.ListAsync(ns, ImageBuildController.ManagedJobsSelector, cancellationToken))
            .Where(j => j.Metadata.OwnerReferences?.Any(o => o.Uid == build.Metadata.Uid) == true);
        var deleted = new List<string>();
        foreach (var job in owned)
        {
            await IgnoreNotFoundAsync(jobDeleter.DeleteAsync(ns, job.Metadata.Name, cancellationToken));
            deleted.Add(job.Metadata.Name);
        }
        return deleted;
    }

    /// <summary>Deletes the token Secret when this build owns it: a user's shared Secret is left alone.</summary>
    public async Task DeleteOwnedTokenSecretAsync(ImageBuild build, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(build);
        if (build.Spec.Source.TokenSecretRef?.Name is not { Length: > 0 } name)
        {
            return;
        }
        var ns = build.Metadata.NamespaceProperty;
        var secret = await secrets.GetAsync(ns, name, cancellationToken);
        var owned = secret?.Metadata.OwnerReferences?.Any(o => o.Uid == build.Metadata.Uid) == true
            || (secret?.Metadata.Labels?.TryGetValue(Annotations.BuildLabel, out var owner) == true && owner == Annotations.LabelValue(build.Metadata.Name));
        if (owned)
        {
            await IgnoreNotFoundAsync(secretDeleter.DeleteAsync(ns, name, cancellationToken));
        }
    }

    private static async Task IgnoreNotFoundAsync(Task delete)
    {
        try
        {
            await delete;
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            // Deleted meanwhile.
        }
    }
}
