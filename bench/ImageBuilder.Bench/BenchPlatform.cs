namespace ImageBuilder.Bench;

/// <summary>The development platform's endpoints, from the env file scripts/services.sh up printed (PLATFORM_ENV).</summary>
public sealed record BenchPlatform(string KubeConfig, Uri Amqp, string Registry, string RegistryUser, string RegistryPassword)
{
    public static BenchPlatform Load(string envFile)
    {
        var env = File.ReadAllLines(envFile)
            .Where(l => l.Contains('=') && !l.StartsWith('#'))
            .Select(l => l.Split('=', 2))
            .ToDictionary(p => p[0], p => p[1].Trim('"'));
        return new BenchPlatform(env["KUBECONFIG"], new Uri(env["AMQP_URI"]), env["REGISTRY"], env["REGISTRY_USER"], env["REGISTRY_PASSWORD"]);
    }
}
