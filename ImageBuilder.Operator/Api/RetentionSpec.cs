using System.Text.Json.Serialization;

namespace ImageBuilder.Operator.Api;

/// <summary>Per-object overrides of when a finished ImageBuild is deleted (Shipwright's build retention, by outcome).</summary>
public sealed class RetentionSpec
{
    /// <summary>Go-style duration (30m, 24h) a Succeeded ImageBuild is kept.</summary>
    [JsonPropertyName("ttlAfterSucceeded")]
    public string? TtlAfterSucceeded { get; set; }

    /// <summary>Go-style duration a Failed, Superseded or Cancelled ImageBuild is kept.</summary>
    [JsonPropertyName("ttlAfterFailed")]
    public string? TtlAfterFailed { get; set; }

    /// <summary>How many Succeeded ImageBuilds of the application are kept.</summary>
    [JsonPropertyName("succeededLimit")]
    public int? SucceededLimit { get; set; }

    /// <summary>How many other finished ImageBuilds of the application are kept.</summary>
    [JsonPropertyName("failedLimit")]
    public int? FailedLimit { get; set; }
}
