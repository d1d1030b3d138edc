using System.Text.Json.Serialization;

namespace ImageBuilder.Operator.Api;

/// <summary>Why the last attempt failed.</summary>
public sealed record BuildFailure
{
    /// <summary><c>user</c> or <c>service</c>; see <see cref="Faults"/>.</summary>
    [JsonPropertyName("fault")]
    public string Fault { get; init; } = Faults.Service;

    /// <summary>A stable CamelCase reason, e.g. <c>RepositoryNotFound</c>.</summary>
    [JsonPropertyName("reason")]
    public string Reason { get; init; } = "";

    /// <summary>One sentence a user understands.</summary>
    [JsonPropertyName("message")]
    public string Message { get; init; } = "";

    /// <summary>The tail of the build log, when a build ran.</summary>
    [JsonPropertyName("logTail")]
    public string? LogTail { get; init; }

    [JsonPropertyName("attempt")]
    public int Attempt { get; init; }
}
