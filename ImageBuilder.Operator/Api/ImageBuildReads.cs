using ImageBuilder.Operator.Controllers.Client;
using k8s;

namespace ImageBuilder.Operator.Api;

/// <summary>The operator's one "read an ImageBuild, or null when there is none" (reconciler, bridge, retry listener).</summary>
public static class ImageBuildReads
{
    /// <summary>
    /// The ImageBuild <paramref name="namespace"/>/<paramref name="name"/>, or null when it does not exist; a missing
    /// CRD is thrown (<see cref="KubernetesCustomObjectClient{T}.GetAsync"/>).
    /// </summary>
    public static Task<ImageBuild?> GetImageBuildOrNullAsync(this IKubernetes kubernetes, string @namespace, string name, CancellationToken cancellationToken) =>
        new KubernetesCustomObjectClient<ImageBuild>(kubernetes).GetAsync(@namespace, name, cancellationToken);
}
