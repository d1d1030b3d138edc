using System.Text.Json.Serialization;

namespace ImageBuilder.Operator.Api;

/// <summary>A terminal notification the broker confirmed.</summary>
public sealed record NotificationStatus
{
    /// <summary>The queue it went to.</summary>
    [JsonPropertyName("queue")]
    public string Queue { get; init; } = "";

    /// <summary>Stable id (ImageBuild uid + attempt) so receivers can drop duplicates.</summary>
    [JsonPropertyName("messageId")]
    public string MessageId { get; init; } = "";

    [JsonPropertyName("confirmedTime")]
    public DateTime? ConfirmedTime { get; init; }
}
