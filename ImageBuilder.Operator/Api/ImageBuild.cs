using System.Text.Json.Serialization;
using k8s;
using k8s.Models;

namespace ImageBuilder.Operator.Api;

/// <summary>
/// One request to turn a source revision into a pushed image. The reconciler drives
/// <see cref="Status"/> to <c>Succeeded</c> or <c>Failed</c>; deploy/crds holds the schema.
/// </summary>
[KubernetesEntity(Group = Group, ApiVersion = Version, Kind = KindName, PluralName = Plural)]
public sealed class ImageBuild : IKubernetesObject<V1ObjectMeta>, ISpec<ImageBuildSpec>, IStatus<ImageBuildStatus?>
{
    public const string Group = "imagebuilder.ipaas.dev";
    public const string Version = "v1alpha1";
    public const string KindName = "ImageBuild";
    public const string Plural = "imagebuilds";
    public const string ApiGroupVersion = Group + "/" + Version;

    [JsonPropertyName("apiVersion")]
    public string ApiVersion { get; set; } = ApiGroupVersion;

    [JsonPropertyName("kind")]
    public string Kind { get; set; } = KindName;

    [JsonPropertyName("metadata")]
    public V1ObjectMeta Metadata { get; set; } = new();

    [JsonPropertyName("spec")]
    public ImageBuildSpec Spec { get; set; } = new();

    [JsonPropertyName("status")]
    public ImageBuildStatus? Status { get; set; }
}
