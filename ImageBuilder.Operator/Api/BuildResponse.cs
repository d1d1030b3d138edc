using System.Text.Json.Serialization;

namespace ImageBuilder.Operator.Api;

/// <summary>The wire contract sent to the container manager (success) and Kusanali (failure). docs/contracts.md; never rename a field.</summary>
public sealed record BuildResponse
{
    public const string StatusSuccess = "success";
    public const string StatusFailed = "failed";

    [JsonPropertyName("applicationID")]
    public string ApplicationId { get; init; } = "";

    [JsonPropertyName("userID")]
    public string UserId { get; init; } = "";

    [JsonPropertyName("repo")]
    public string Repo { get; init; } = "";

    [JsonPropertyName("status")]
    public string Status { get; init; } = StatusSuccess;

    [JsonPropertyName("imageID")]
    public string ImageId { get; init; } = "";

    [JsonPropertyName("imageName")]
    public string ImageName { get; init; } = "";

    [JsonPropertyName("buildCommit")]
    public string BuildCommit { get; init; } = "";

    [JsonPropertyName("isError")]
    public bool IsError { get; init; }

    [JsonPropertyName("fault")]
    public string Fault { get; init; } = "";

    [JsonPropertyName("message")]
    public string Message { get; init; } = "";

    [JsonPropertyName("buildOutput")]
    public string BuildOutput { get; init; } = "";

    [JsonPropertyName("attempts")]
    public int Attempts { get; init; }

    /// <summary><c>namespace/name</c> of the ImageBuild, empty for a request rejected before one existed.</summary>
    [JsonPropertyName("imageBuild")]
    public string ImageBuild { get; init; } = "";
}
