using k8s;
using k8s.Models;
using Xunit;

namespace ImageBuilder.Testing;

/// <summary>
/// Makes sure the development platform (scripts/services.sh) is up, starting what is missing,
/// and hands tests its endpoints. It never skips: a service that cannot start fails the test run
/// with the script's own message.
/// </summary>
public sealed class PlatformFixture : IAsyncLifetime
{
    private readonly List<string> _namespaces = [];

    public string RepoRoot { get; } = FindRepoRoot();

    /// <summary>The operator as <c>dotnet build</c> left it, for tests that run it as its own process.</summary>
    public string OperatorDll()
    {
        foreach (var configuration in new[] { "Debug", "Release" })
        {
            var dll = Path.Combine(RepoRoot, "ImageBuilder.Operator", "bin", configuration, "net10.0", "ImageBuilder.Operator.dll");
            if (File.Exists(dll))
            {
                return dll;
            }
        }
        throw new InvalidOperationException("ImageBuilder.Operator.dll is not built (dotnet build ImageBuilder.Operator)");
    }
    /// <summary>The endpoints <c>scripts/services.sh up</c> wrote; the members below read from it.</summary>
    public PlatformEnvironment Platform { get; private set; } = null!;
    public string KubeConfigPath => Platform.KubeConfig;
    public Uri AmqpUri => Platform.Amqp;
    /// <summary>host:port of the registry, e.g. 127.0.0.1:5000.</summary>
    public string Registry => Platform.Registry;
    public string RegistryUser => Platform.RegistryUser;
    public string RegistryPassword => Platform.RegistryPassword;
    /// <summary>Environment the platform scripts wrote (platform.env), for anything not surfaced above.</summary>
    public IReadOnlyDictionary<string, string> Environment => Platform.Values;
    public IKubernetes Kubernetes { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var output = await RunAsync("bash", [Path.Combine(RepoRoot, "scripts", "services.sh"), "up"], TimeSpan.FromMinutes(40));
        var envFile = output.Split('\n').Select(l => l.Trim()).LastOrDefault(l => l.StartsWith("PLATFORM_ENV=", StringComparison.Ordinal))?["PLATFORM_ENV=".Length..]
            ?? throw new InvalidOperationException("scripts/services.sh up did not print PLATFORM_ENV=<file>:\n" + output);
        Platform = PlatformEnvironment.Load(envFile);
        Kubernetes = new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(KubeConfigPath));
        await InstallCrdsAsync();
    }

    /// <summary>Stops a platform daemon (e.g. kube-apiserver) by its pid and starts it again, waiting until it is ready.</summary>
    public Task RestartAsync(string daemon) =>
        RunAsync("bash", [Path.Combine(RepoRoot, "scripts", "services.sh"), "restart", daemon], TimeSpan.FromMinutes(3));

    /// <summary>Path of a tool the platform scripts installed (kubectl, helm).</summary>
    public string Tool(string name) => Environment[name.ToUpperInvariant()];

    /// <summary>Runs kubectl against the development cluster.</summary>
    public Task<string> KubectlAsync(params string[] args) =>
        RunAsync(Tool("kubectl"), ["--kubeconfig", KubeConfigPath, .. args], TimeSpan.FromMinutes(2));

    // The CRDs of deploy/crds are applied on every run so a test always sees the schema of this checkout.
    private async Task InstallCrdsAsync()
    {
        await KubectlAsync("apply", "-f", Path.Combine(RepoRoot, "deploy", "crds"));
        await KubectlAsync("wait", "--for", "condition=established", "--timeout=60s", "-f", Path.Combine(RepoRoot, "deploy", "crds"));
    }

    /// <summary>A new namespace for one test, deleted when the run ends.</summary>
    public async Task<string> CreateNamespaceAsync(string prefix)
    {
        var name = UniqueName(prefix);
        await Kubernetes.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = name, Labels = new Dictionary<string, string> { ["imagebuilder.test"] = "true" } } });
        lock (_namespaces)
        {
            _namespaces.Add(name);
        }
        return name;
    }

    /// <summary>A DNS-1123 name unique to this run, for namespaces, queues and objects.</summary>
    public static string UniqueName(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..Math.Min(prefix.Length + 9, 63)].ToLowerInvariant();

    public async Task DisposeAsync()
    {
        if (Kubernetes is null)
        {
            return;
        }
        foreach (var ns in _namespaces)
        {
            try
            {
                await Kubernetes.CoreV1.DeleteNamespaceAsync(ns);
            }
            catch (k8s.Autorest.HttpOperationException e) when (e.Response.StatusCode == System.Net.HttpStatusCode.NotFound)
            {
                // Already gone: a test deleted its own namespace.
            }
        }
        Kubernetes.Dispose();
    }

    /// <summary>Runs a command and returns its stdout; throws with stderr when it fails.</summary>
    public static async Task<string> RunAsync(string file, IEnumerable<string> args, TimeSpan timeout, string? stdin = null)
    {
        var start = ProcessRun.Command(file, args);
        var outcome = await ProcessRun.RunAsync(start, timeout, stdin);
        if (outcome.ExitCode != 0)
        {
            throw new InvalidOperationException($"{ProcessRun.Describe(start)} exited {outcome.ExitCode}:\n{outcome.StdErr}\n{outcome.StdOut}");
        }
        return outcome.StdOut;
    }

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "ImageBuilder.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("ImageBuilder.sln not found above " + AppContext.BaseDirectory);
    }
}
