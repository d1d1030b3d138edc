using System.ComponentModel.DataAnnotations;

namespace ImageBuilder.Operator.Options;

/// <summary>How build Jobs are made and where images go (configuration section <c>Build</c>).</summary>
public sealed partial class BuildOptions
{
    public const string SectionName = "Build";

    /// <summary>The strategy that writes the build Job; see <see cref="StrategyNames"/>.</summary>
    [Required]
    public string Strategy { get; set; } = StrategyNames.BuildKit;

    /// <summary>The container images of the build Job.</summary>
    [Required]
    public ImageOptions Images { get; set; } = new();

    /// <summary><c>Always</c>, <c>IfNotPresent</c> or <c>Never</c>.</summary>
    [Required]
    public string ImagePullPolicy { get; set; } = "IfNotPresent";

    /// <summary>The Job's activeDeadlineSeconds unless an ImageBuild overrides it.</summary>
    public TimeSpan DefaultTimeout { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>How long a build pod may stay unstarted (image pulls, scheduling) before the attempt fails.</summary>
    public TimeSpan PendingTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Registry host[:port] images are pushed to, e.g. <c>127.0.0.1:5000</c>. Required (the validator says so with an example).</summary>
    public string Registry { get; set; } = "";

    /// <summary>
    /// <c>http</c> or <c>https</c> for the registry API; empty means http for loopback hosts
    /// (which Docker treats as insecure registries too) and https for every other host.
    /// </summary>
    public string? RegistryScheme { get; set; }

    /// <summary>Username for the registry API (cache check). Empty for an anonymous registry.</summary>
    public string? RegistryUsername { get; set; }

    /// <summary>Password for the registry API. A secret: never logged.</summary>
    public string? RegistryPassword { get; set; }

    /// <summary>A <c>kubernetes.io/dockerconfigjson</c> Secret in the build's namespace the Job pushes with.</summary>
    [Required]
    public string RegistrySecretName { get; set; } = "image-builder-registry";

    /// <summary>Repository (no tag) of an image; placeholders <c>{registry}</c>, <c>{userID}</c>, <c>{applicationID}</c>.</summary>
    [Required]
    public string ImageNameTemplate { get; set; } = "{registry}/{userID}/{applicationID}";

    /// <summary>
    /// Build Jobs that may be unfinished at once in the operator's scope; a build beyond it waits in phase
    /// Queued. At least 1: zero would stop every build, and "unlimited" is a large number written on purpose.
    /// </summary>
    [Range(1, 100_000)]
    public int MaxConcurrentBuilds { get; set; } = 10;

    /// <summary>
    /// Unfinished build Jobs one <c>userID</c> may have at once, so one user's burst cannot take every slot.
    /// At least 1; a value above <see cref="MaxConcurrentBuilds"/> adds no limit of its own.
    /// </summary>
    [Range(1, 100_000)]
    public int MaxConcurrentBuildsPerUser { get; set; } = 3;

    /// <summary>Finished successful Jobs kept per ImageBuild.</summary>
    [Range(0, 100)]
    public int SuccessfulJobsHistoryLimit { get; set; } = 3;

    /// <summary>Finished failed Jobs kept per ImageBuild.</summary>
    [Range(0, 100)]
    public int FailedJobsHistoryLimit { get; set; } = 3;

    /// <summary>
    /// Build pods on the node's network namespace. Off in production (pods have a pod network); on for the
    /// development cluster, which has none (README, "The development platform"): a build pod without it could not reach the registry.
    /// </summary>
    public bool HostNetwork { get; set; }

    /// <summary>
    /// Registries (<c>host[:port]</c>) reached over plain http or TLS with a certificate BuildKit cannot
    /// verify: each becomes <c>[registry."host"] http = true, insecure = true</c> in the build's buildkitd.toml,
    /// and <c>registry.insecure=true</c> on the push and the registry cache when the image goes there.
    /// </summary>
    public List<string> InsecureRegistries { get; set; } = [];

    /// <summary>Size limits of the build pod's emptyDirs.</summary>
    [Required]
    public StorageOptions Storage { get; set; } = new();

    /// <summary>Requests and limits of the container that builds.</summary>
    [Required]
    public ResourceOptions Resources { get; set; } = new();
}
