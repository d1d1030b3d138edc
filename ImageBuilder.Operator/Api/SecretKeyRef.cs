using System.Text.Json.Serialization;

namespace ImageBuilder.Operator.Api;

/// <summary>A key of a Secret in the ImageBuild's namespace.</summary>
public sealed class SecretKeyRef
{
    [JsonPropertyName("name")]
    public string Name { get; set; } = "";

    [JsonPropertyName("key")]
    public string Key { get; set; } = "token";
}
