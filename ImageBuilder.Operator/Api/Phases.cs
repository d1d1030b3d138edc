namespace ImageBuilder.Operator.Api;

/// <summary>Values of <see cref="ImageBuildStatus.Phase"/>.</summary>
public static class Phases
{
    public const string Pending = "Pending";
    public const string Building = "Building";
    /// <summary>An attempt failed with a service fault; the next one waits for its delay.</summary>
    public const string Retrying = "Retrying";
    public const string Succeeded = "Succeeded";
    public const string Failed = "Failed";
}
