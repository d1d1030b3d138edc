using System.Globalization;

namespace ImageBuilder.Testing.Operators;

/// <summary>
/// The settings every operator the harness starts needs on the development platform, in one place for the
/// in-process <see cref="OperatorHost"/>, the <see cref="OperatorProcess"/> replicas of the chaos soak and the bench.
/// Keys are configuration paths (<c>Build:Registry</c>); <see cref="Environment"/> turns them into variables for a process.
/// </summary>
public static class OperatorConfiguration
{
    /// <summary>The rootless BuildKit image made here from Debian's sources (scripts/images.sh), in the node's Docker and the registry.</summary>
    public const string DevBuildKitImage = "127.0.0.1:5000/imagebuilder/buildkit:v0.13.2-rootless";

    /// <summary>The cluster, the registry, the build images and the broker of this machine, and the GitHub stand-in.</summary>
    public static Dictionary<string, string?> Platform(PlatformEnvironment platform, Uri gitHubApi)
    {
        ArgumentNullException.ThrowIfNull(platform);
        ArgumentNullException.ThrowIfNull(gitHubApi);
        return new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            ["KUBECONFIG"] = platform.KubeConfig,
            ["GitHub:ApiUrl"] = gitHubApi.AbsoluteUri,
            ["Build:Strategy"] = "buildkit",
            ["Build:Registry"] = platform.Registry,
            ["Build:RegistryUsername"] = platform.RegistryUser,
            ["Build:RegistryPassword"] = platform.RegistryPassword,
            ["Build:Images:Fetch"] = "imagebuilder/fetch:dev",
            // No nixpacks on this machine: the fetch image stands in, so repositories with a Dockerfile build.
            ["Build:Images:Nixpacks"] = "imagebuilder/fetch:dev",
            ["Build:Images:BuildKit"] = DevBuildKitImage,
            ["Build:ImagePullPolicy"] = "IfNotPresent",
            // The development cluster has no pod network; its registry speaks plain http.
            ["Build:HostNetwork"] = "true",
            ["Build:InsecureRegistries:0"] = platform.Registry,
            ["RabbitMq:Uri"] = platform.Amqp.ToString(),
        };
    }

    /// <summary>
    /// What one operator (or a group of replicas) is scoped to: the namespace it watches and leads in, and the queues
    /// <c>{prefix}.build</c>, <c>.fail</c>, <c>.cm</c>, <c>.kusanali</c>, so it never takes another run's work.
    /// </summary>
    public static Dictionary<string, string?> Scope(string watchedNamespace, string leaseName, string queuePrefix, string? targetNamespace = null) =>
        new(StringComparer.Ordinal)
        {
            ["Controller:Namespace"] = watchedNamespace,
            ["Controller:LeaderElection:LeaseName"] = leaseName,
            ["Controller:LeaderElection:LeaseNamespace"] = watchedNamespace,
            ["RabbitMq:BuildQueue"] = queuePrefix + ".build",
            ["RabbitMq:FailQueue"] = queuePrefix + ".fail",
            ["RabbitMq:ContainerManagerQueue"] = queuePrefix + ".cm",
            ["RabbitMq:KusanaliQueue"] = queuePrefix + ".kusanali",
            ["RabbitMq:TargetNamespace"] = targetNamespace ?? watchedNamespace,
        };

    /// <summary>The fail queue's delay tiers as configuration keys (<c>Retry:DelayTiers:0</c>, …).</summary>
    public static Dictionary<string, string?> DelayTiers(IEnumerable<TimeSpan> tiers) =>
        tiers.Select((tier, i) => KeyValuePair.Create($"Retry:DelayTiers:{i}", (string?)tier.ToString("c", CultureInfo.InvariantCulture)))
            .ToDictionary(StringComparer.Ordinal);

    /// <summary>Later sources win, as in a configuration builder.</summary>
    public static Dictionary<string, string?> Merge(params IEnumerable<KeyValuePair<string, string?>>[] sources)
    {
        ArgumentNullException.ThrowIfNull(sources);
        var merged = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var (key, value) in sources.SelectMany(s => s))
        {
            merged[key] = value;
        }
        return merged;
    }

    /// <summary>Configuration paths as environment variables of a process (<c>Build__Registry</c>); null values are left out.</summary>
    public static Dictionary<string, string> Environment(IEnumerable<KeyValuePair<string, string?>> configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return configuration.Where(p => p.Value is not null)
            .ToDictionary(p => p.Key.Replace(":", "__", StringComparison.Ordinal), p => p.Value!, StringComparer.Ordinal);
    }
}
