using ImageBuilder.Operator.Api;
using k8s;
using k8s.Models;

namespace ImageBuilder.Operator.Tests.Integration.Controllers;

/// <summary>Creates and changes ImageBuild objects on the real apiserver.</summary>
public static class ImageBuilds
{
    public static ImageBuild New(string name) => new()
    {
        Metadata = new V1ObjectMeta { Name = name },
        Spec = new ImageBuildSpec
        {
            UserId = "18008",
            ApplicationId = "app1",
            Source = new SourceSpec { Connector = Connectors.GitHub, Repo = "vano2903/testing", Type = RefTypes.Repo, Branch = "main" },
        },
    };

    public static Task<ImageBuild> CreateAsync(IKubernetes kubernetes, string ns, string name) =>
        kubernetes.CustomObjects.CreateNamespacedCustomObjectAsync<ImageBuild>(New(name), ImageBuild.Group, ImageBuild.Version, ns, ImageBuild.Plural);

    /// <summary>A merge patch of the main resource (spec, metadata).</summary>
    public static Task<ImageBuild> PatchAsync(IKubernetes kubernetes, string ns, string name, string mergePatchJson) =>
        kubernetes.CustomObjects.PatchNamespacedCustomObjectAsync<ImageBuild>(
            new V1Patch(mergePatchJson, V1Patch.PatchType.MergePatch), ImageBuild.Group, ImageBuild.Version, ns, ImageBuild.Plural, name);

    /// <summary>A merge patch of the status subresource: changes status only, never the generation.</summary>
    public static Task<ImageBuild> PatchStatusAsync(IKubernetes kubernetes, string ns, string name, string mergePatchJson) =>
        kubernetes.CustomObjects.PatchNamespacedCustomObjectStatusAsync<ImageBuild>(
            new V1Patch(mergePatchJson, V1Patch.PatchType.MergePatch), ImageBuild.Group, ImageBuild.Version, ns, ImageBuild.Plural, name);

    public static Task DeleteAsync(IKubernetes kubernetes, string ns, string name) =>
        kubernetes.CustomObjects.DeleteNamespacedCustomObjectAsync(ImageBuild.Group, ImageBuild.Version, ns, ImageBuild.Plural, name);
}
