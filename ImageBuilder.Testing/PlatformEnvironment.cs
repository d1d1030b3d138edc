namespace ImageBuilder.Testing;

/// <summary>
/// The development platform's endpoints, from the env file <c>scripts/services.sh up</c> writes (it prints
/// <c>PLATFORM_ENV=&lt;file&gt;</c>). Tests get it through <see cref="PlatformFixture"/>; the bench loads the file it is given.
/// </summary>
public sealed record PlatformEnvironment(string KubeConfig, Uri Amqp, string Registry, string RegistryUser, string RegistryPassword)
{
    /// <summary>Every value of the file, for anything not surfaced above (tool paths: KUBECTL, HELM, …).</summary>
    public IReadOnlyDictionary<string, string> Values { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);

    public static PlatformEnvironment Load(string envFile)
    {
        var values = File.ReadAllLines(envFile)
            .Where(l => l.Contains('=', StringComparison.Ordinal) && !l.StartsWith('#'))
            .Select(l => l.Split('=', 2))
            .ToDictionary(p => p[0], p => p[1].Trim('"'), StringComparer.Ordinal);
        return new PlatformEnvironment(values["KUBECONFIG"], new Uri(values["AMQP_URI"]), values["REGISTRY"], values["REGISTRY_USER"], values["REGISTRY_PASSWORD"])
        {
            Values = values,
        };
    }
}
