namespace ImageBuilder.Operator.Api;

/// <summary>Values of <see cref="ImageBuildStatus.Phase"/>.</summary>
public static class Phases
{
    public const string Pending = "Pending";
    /// <summary>Waiting for a build slot (the capacity limits of the Build options).</summary>
    public const string Queued = "Queued";
    public const string Building = "Building";
    /// <summary>An attempt failed with a service fault; the next one waits for its delay.</summary>
    public const string Retrying = "Retrying";
    public const string Succeeded = "Succeeded";
    public const string Failed = "Failed";
    /// <summary>A newer request for the same application and branch replaced it; nobody is notified.</summary>
    public const string Superseded = "Superseded";
    /// <summary>Cancelled on demand (the cancel annotation); nobody is notified.</summary>
    public const string Cancelled = "Cancelled";

    /// <summary>A phase no reconcile leaves again.</summary>
    public static bool IsTerminal(string? phase) => phase is Succeeded or Failed or Superseded or Cancelled;

    /// <summary>Terminal phases that are never announced to the container manager or Kusanali.</summary>
    public static bool IsSilent(string? phase) => phase is Superseded or Cancelled;
}
