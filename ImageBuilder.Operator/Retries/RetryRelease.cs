using System.Text.Json.Serialization;

namespace ImageBuilder.Operator.Retries;

/// <summary>
/// What waits on the fail queue's delay tiers: which ImageBuild and which attempt, never the
/// request or its token (those stay in the ImageBuild and its Secret).
/// </summary>
public sealed record RetryRelease
{
    public const string NamespaceHeader = "x-imagebuild-namespace";
    public const string NameHeader = "x-imagebuild-name";
    public const string UidHeader = "x-imagebuild-uid";
    public const string AttemptHeader = "x-attempt";
    public const string FaultHeader = "x-fault";
    public const string ReasonHeader = "x-reason";

    [JsonPropertyName("namespace")]
    public string Namespace { get; init; } = "";

    [JsonPropertyName("name")]
    public string Name { get; init; } = "";

    [JsonPropertyName("uid")]
    public string Uid { get; init; } = "";

    [JsonPropertyName("attempt")]
    public int Attempt { get; init; }

    [JsonPropertyName("fault")]
    public string Fault { get; init; } = "";

    [JsonPropertyName("reason")]
    public string Reason { get; init; } = "";

    [JsonPropertyName("delaySeconds")]
    public double DelaySeconds { get; init; }

    [JsonPropertyName("applicationID")]
    public string? ApplicationId { get; init; }

    [JsonPropertyName("userID")]
    public string? UserId { get; init; }

    [JsonPropertyName("repo")]
    public string? Repo { get; init; }

    public bool IsComplete => Namespace.Length > 0 && Name.Length > 0 && Uid.Length > 0 && Attempt > 0;
}
