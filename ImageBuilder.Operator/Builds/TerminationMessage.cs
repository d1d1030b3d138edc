using System.Text.Json;
using System.Text.Json.Serialization;

namespace ImageBuilder.Operator.Builds;

/// <summary>What a build container wrote to its termination message (see <see cref="BuildScripts"/>).</summary>
public sealed record TerminationMessage
{
    private static readonly JsonSerializerOptions Json = new() { NumberHandling = JsonNumberHandling.AllowReadingFromString };

    [JsonPropertyName("stage")]
    public string Stage { get; init; } = "";

    [JsonPropertyName("reason")]
    public string? Reason { get; init; }

    [JsonPropertyName("error")]
    public string? Error { get; init; }

    [JsonPropertyName("httpStatus")]
    public int HttpStatus { get; init; }

    [JsonPropertyName("digest")]
    public string? Digest { get; init; }

    [JsonPropertyName("image")]
    public string? Image { get; init; }

    [JsonPropertyName("logTail")]
    public string? LogTail { get; init; }

    /// <summary>The report, or null when the text is not one (e.g. the kubelet's log fallback).</summary>
    public static TerminationMessage? TryParse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text) || !text.TrimStart().StartsWith('{'))
        {
            return null;
        }
        try
        {
            var message = JsonSerializer.Deserialize<TerminationMessage>(text, Json);
            return string.IsNullOrEmpty(message?.Stage) ? null : message;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
