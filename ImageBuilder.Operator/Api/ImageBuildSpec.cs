using System.Text.Json.Serialization;

namespace ImageBuilder.Operator.Api;

/// <summary>What to build. Carries the request without its token (see <see cref="SourceSpec.TokenSecretRef"/>).</summary>
public sealed class ImageBuildSpec
{
    /// <summary>The platform's application id; part of the image name. Optional for old senders.</summary>
    [JsonPropertyName("applicationID")]
    public string? ApplicationId { get; set; }

    /// <summary>Owner of the application; part of the image name.</summary>
    [JsonPropertyName("userID")]
    public string UserId { get; set; } = "";

    [JsonPropertyName("source")]
    public SourceSpec Source { get; set; } = new();

    [JsonPropertyName("buildPlan")]
    public BuildPlanSpec? BuildPlan { get; set; }

    /// <summary>Overrides the configured retry limit for this build.</summary>
    [JsonPropertyName("maxRetries")]
    public int? MaxRetries { get; set; }

    /// <summary>Overrides the configured build timeout (the Job's activeDeadlineSeconds).</summary>
    [JsonPropertyName("timeoutSeconds")]
    public int? TimeoutSeconds { get; set; }

    /// <summary>Full image reference without tag; overrides the configured naming.</summary>
    [JsonPropertyName("image")]
    public string? Image { get; set; }

    /// <summary>When the finished ImageBuild is deleted; overrides the operator's retention settings.</summary>
    [JsonPropertyName("retention")]
    public RetentionSpec? Retention { get; set; }
}
