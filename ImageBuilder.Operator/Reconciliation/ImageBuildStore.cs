using System.Text.Json.Nodes;
using ImageBuilder.Operator.Api;
using k8s;

namespace ImageBuilder.Operator.Reconciliation;

/// <summary>Reads ImageBuilds and writes their status subresource, only when it changed.</summary>
public sealed class ImageBuildStore(IKubernetes kubernetes)
{
    public Task<ImageBuild?> GetAsync(string ns, string name, CancellationToken cancellationToken) =>
        kubernetes.GetImageBuildOrNullAsync(ns, name, cancellationToken);

    /// <summary>
    /// Writes <paramref name="status"/> with the read resourceVersion (a concurrent change fails the
    /// write and the reconcile is retried on fresh data). Returns false when nothing changed.
    /// </summary>
    public async Task<bool> WriteStatusIfChangedAsync(ImageBuild build, ImageBuildStatus status, CancellationToken cancellationToken)
    {
        status.ObservedGeneration = build.Metadata.Generation;
        if (build.Status is not null && JsonNode.DeepEquals(JsonNode.Parse(KubernetesJson.Serialize(build.Status)), JsonNode.Parse(KubernetesJson.Serialize(status))))
        {
            return false;
        }
        var updated = new ImageBuild { Metadata = build.Metadata, Spec = build.Spec, Status = status };
        // The status write must land even when the reconcile is being cancelled: the Job it records already exists.
        await kubernetes.CustomObjects.ReplaceNamespacedCustomObjectStatusAsync<ImageBuild>(updated, ImageBuild.Group, ImageBuild.Version,
            build.Metadata.NamespaceProperty, ImageBuild.Plural, build.Metadata.Name, cancellationToken: CancellationToken.None);
        return true;
    }

    /// <summary>True when writing <paramref name="status"/> would change nothing (the test <see cref="WriteStatusIfChangedAsync"/> makes).</summary>
    public static bool SameStatus(ImageBuild build, ImageBuildStatus status)
    {
        ArgumentNullException.ThrowIfNull(build);
        ArgumentNullException.ThrowIfNull(status);
        var candidate = CopyStatus(status);
        candidate.ObservedGeneration = build.Metadata.Generation;
        return build.Status is not null && JsonNode.DeepEquals(JsonNode.Parse(KubernetesJson.Serialize(build.Status)), JsonNode.Parse(KubernetesJson.Serialize(candidate)));
    }

    /// <summary>A deep copy, so steps never change the object as it was read.</summary>
    public static ImageBuildStatus CopyStatus(ImageBuildStatus? status) =>
        status is null ? new ImageBuildStatus() : KubernetesJson.Deserialize<ImageBuildStatus>(KubernetesJson.Serialize(status));
}
