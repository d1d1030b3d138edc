using System.Text.Json.Serialization;

namespace ImageBuilder.Operator.Api;

/// <summary>One build-time environment variable of a build plan.</summary>
public sealed class BuildEnv
{
    [JsonPropertyName("key")]
    public string Key { get; set; } = "";

    [JsonPropertyName("value")]
    public string Value { get; set; } = "";
}
