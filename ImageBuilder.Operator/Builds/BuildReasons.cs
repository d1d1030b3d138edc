namespace ImageBuilder.Operator.Builds;

/// <summary>Stable reasons of a build attempt's <see cref="Api.BuildFailure"/>.</summary>
public static class BuildReasons
{
    /// <summary>The Job passed its activeDeadlineSeconds (service).</summary>
    public const string BuildTimedOut = "BuildTimedOut";
    /// <summary>The pod never started a container within the pending timeout: image pulls, scheduling (service).</summary>
    public const string BuildPodNeverStarted = "BuildPodNeverStarted";
    /// <summary>The kubelet evicted the pod (service).</summary>
    public const string PodEvicted = "PodEvicted";
    /// <summary>A build container ran out of memory (service: the limit is the platform's).</summary>
    public const string OutOfMemory = "OutOfMemory";
    /// <summary>The pod or its node went away (service).</summary>
    public const string PodLost = "PodLost";
    /// <summary>The source was refused: the token lacks access (user).</summary>
    public const string SourceAccessDenied = "SourceAccessDenied";
    /// <summary>The repository or commit does not exist (user).</summary>
    public const string SourceNotFound = "SourceNotFound";
    /// <summary>The source could not be downloaded for another reason (service).</summary>
    public const string FetchFailed = "FetchFailed";
    /// <summary>The build plan could not be made: no Dockerfile, nixpacks failed, bad root directory (user).</summary>
    public const string PlanFailed = "PlanFailed";
    /// <summary>The plan image lacks the nixpacks CLI or jq: the platform's image is wrong (service).</summary>
    public const string NixpacksUnavailable = "NixpacksUnavailable";
    /// <summary>The image build failed, e.g. a compile error (user).</summary>
    public const string BuildFailed = "BuildFailed";
    /// <summary>buildkitd did not start or answer (<c>buildctl-daemonless.sh</c> gave up connecting) (service).</summary>
    public const string BuildKitUnavailable = "BuildKitUnavailable";
    /// <summary>The registry refused or failed the push (service).</summary>
    public const string PushFailed = "PushFailed";
    /// <summary>The platform's own registry could not be reached during the build, e.g. for a base image or the cache
    /// stored there (service: an outage is not the application's fault).</summary>
    public const string RegistryUnavailable = "RegistryUnavailable";
    /// <summary>A build container failed without a readable report (service).</summary>
    public const string BuildInfrastructureFailed = "BuildInfrastructureFailed";
}
