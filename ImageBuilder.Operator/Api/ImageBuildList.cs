using System.Text.Json.Serialization;
using k8s;
using k8s.Models;

namespace ImageBuilder.Operator.Api;

/// <summary>The list type the apiserver returns for <see cref="ImageBuild"/>.</summary>
public sealed class ImageBuildList : IKubernetesObject<V1ListMeta>, IItems<ImageBuild>
{
    [JsonPropertyName("apiVersion")]
    public string ApiVersion { get; set; } = ImageBuild.ApiGroupVersion;

    [JsonPropertyName("kind")]
    public string Kind { get; set; } = "ImageBuildList";

    [JsonPropertyName("metadata")]
    public V1ListMeta Metadata { get; set; } = new();

    [JsonPropertyName("items")]
    public IList<ImageBuild> Items { get; set; } = [];
}
