using System.Net;
using System.Text.Json;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace ImageBuilder.Operator.Api;

/// <summary>The operator's one "read an ImageBuild, or null when there is none" (reconciler, bridge, retry listener).</summary>
public static class ImageBuildReads
{
    /// <summary>
    /// The ImageBuild <paramref name="namespace"/>/<paramref name="name"/>, or null when it does not exist. A 404 for
    /// the resource type itself (the CRD is not installed) is not "no such build": it is thrown, so the caller
    /// retries instead of acting on a build it believes deleted.
    /// </summary>
    public static async Task<ImageBuild?> GetImageBuildOrNullAsync(this IKubernetes kubernetes, string @namespace, string name, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(kubernetes);
        try
        {
            return await kubernetes.CustomObjects.GetNamespacedCustomObjectAsync<ImageBuild>(
                ImageBuild.Group, ImageBuild.Version, @namespace, ImageBuild.Plural, name, cancellationToken);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound && !IsMissingResource(e))
        {
            return null;
        }
    }

    /// <summary>The apiserver names the object in a 404 for a missing object, and nothing in one for a missing resource type.</summary>
    private static bool IsMissingResource(HttpOperationException e)
    {
        try
        {
            return !string.IsNullOrEmpty(e.Response.Content)
                && KubernetesJson.Deserialize<V1Status>(e.Response.Content) is { } status
                && string.IsNullOrEmpty(status.Details?.Name);
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
