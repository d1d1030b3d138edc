using System.Text.Json.Serialization;

namespace ImageBuilder.Operator.Api;

/// <summary>Where the source lives and which revision to build.</summary>
public sealed class SourceSpec
{
    /// <summary><c>github</c> or <c>git</c>; see <see cref="Connectors"/>.</summary>
    [JsonPropertyName("connector")]
    public string Connector { get; set; } = Connectors.GitHub;

    /// <summary><c>owner/name</c> for github; a URL for git.</summary>
    [JsonPropertyName("repo")]
    public string Repo { get; set; } = "";

    /// <summary><c>repo</c>, <c>tag</c>, <c>release</c> or <c>commit</c>; see <see cref="RefTypes"/>.</summary>
    [JsonPropertyName("type")]
    public string Type { get; set; } = RefTypes.Repo;

    [JsonPropertyName("branch")]
    public string? Branch { get; set; }

    [JsonPropertyName("tag")]
    public string? Tag { get; set; }

    [JsonPropertyName("release")]
    public string? Release { get; set; }

    [JsonPropertyName("commit")]
    public string? Commit { get; set; }

    /// <summary>The Secret holding the user's token; the token itself never appears in a spec.</summary>
    [JsonPropertyName("tokenSecretRef")]
    public SecretKeyRef? TokenSecretRef { get; set; }
}
