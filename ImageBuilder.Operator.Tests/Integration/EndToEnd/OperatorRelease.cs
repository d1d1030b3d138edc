using System.Text.Json;
using ImageBuilder.GitHubServer;
using ImageBuilder.Operator.Tests.Deploy;
using k8s;
using k8s.Models;

namespace ImageBuilder.Operator.Tests.Integration.EndToEnd;

/// <summary>
/// The operator as production runs it, for one test class: the image built from this checkout
/// (scripts/operator-image.sh), the Helm chart with the development values, three replicas with leader
/// election, scoped to a fresh namespace with its own release, Lease and queues, and a GitHub test
/// server of its own. Everything is removed again on dispose, also when start-up failed half way.
/// </summary>
public class OperatorRelease : IAsyncLifetime
{
    public const int Replicas = 3;
    public const int MaxRetries = 2;
    public const string RegistrySecret = "e2e-registry-credentials";
    private static readonly int[] DelayTierSeconds = [1, 2];
    private static readonly TimeSpan ReadyWithin = TimeSpan.FromMinutes(2);
    private string? _valuesFile;
    private readonly PlatformFixture _platform;
    private bool _installed;

    public OperatorRelease(PlatformFixture platform)
        : this(platform, new BackendQueues(platform.AmqpUri, PlatformFixture.UniqueName("e2e")))
    {
    }

    protected OperatorRelease(PlatformFixture platform, BackendQueues queues)
    {
        _platform = platform;
        Queues = queues;
    }

    public PlatformFixture Platform => _platform;
    public string Name { get; } = PlatformFixture.UniqueName("e2e");
    public string Namespace { get; private set; } = "";
    /// <summary>The chart's full name: the release name plus the chart name.</summary>
    public string Deployment => Name + "-image-builder";
    public string LeaseName => Name + "-leader";
    public string Image { get; private set; } = "";
    public BackendQueues Queues { get; }
    public GitHubTestServer GitHub { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        try
        {
            GitHub = await GitHubTestServer.StartAsync();
            Image = await BuildOperatorImageAsync();
            await CreateNamespaceAsync();
            await CreateRegistrySecretAsync();
            await InstallAsync();
            await WaitUntilReadyAsync();
        }
        catch
        {
            await DisposeAsync();
            throw;
        }
    }

    /// <summary>The release's pods whose operator container is Ready, by name.</summary>
    public async Task<IReadOnlyList<string>> ReadyPodsAsync()
    {
        var pods = await _platform.Kubernetes.CoreV1.ListNamespacedPodAsync(Namespace, labelSelector: "app.kubernetes.io/instance=" + Name);
        return pods.Items
            .Where(p => p.Metadata.DeletionTimestamp is null && p.Status.ContainerStatuses?.Any(c => c.Ready) == true)
            .Select(p => p.Metadata.Name)
            .ToList();
    }

    /// <summary>The pod named in the Lease (its identity is pod name, '_', a random suffix), or null.</summary>
    public async Task<string?> LeaseHolderPodAsync()
    {
        var lease = await _platform.Kubernetes.CoordinationV1.ReadNamespacedLeaseAsync(LeaseName, Namespace);
        var holder = lease.Spec.HolderIdentity;
        return string.IsNullOrEmpty(holder) ? null : holder[..holder.LastIndexOf('_')];
    }

    /// <summary>
    /// <see cref="KubectlGetImageBuildAsync"/> once the ImageBuild's phase is terminal. The operator sends the
    /// BuildResponse inside the reconcile and writes the status (phase, digest) once at its end, so a test that has
    /// just taken the response can read the ImageBuild a moment before that write lands.
    /// </summary>
    public async Task<IReadOnlyDictionary<string, string>> KubectlGetFinishedImageBuildAsync(string name) =>
        await Eventually.ValueAsync(() => KubectlGetImageBuildAsync(name),
            columns => columns["PHASE"] is "Succeeded" or "Failed", TimeSpan.FromSeconds(30), $"ImageBuild {name} to reach a terminal phase",
            columns => string.Join(", ", columns.Select(c => $"{c.Key}={c.Value}")));

    /// <summary>What <c>kubectl get ib</c> prints for one ImageBuild, as column name → value (empty cells included).</summary>
    public async Task<IReadOnlyDictionary<string, string>> KubectlGetImageBuildAsync(string name)
    {
        var lines = (await _platform.KubectlAsync("-n", Namespace, "get", "ib", name)).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        // kubectl aligns columns: a cell starts where its header starts, and an empty cell is blank.
        var starts = System.Text.RegularExpressions.Regex.Matches(lines[0], @"\S+").Select(m => (m.Value, m.Index)).ToList();
        return starts.Select((c, i) =>
        {
            var end = i + 1 < starts.Count ? starts[i + 1].Index : lines[1].Length;
            var cell = c.Index < lines[1].Length ? lines[1][c.Index..Math.Min(end, lines[1].Length)] : "";
            return (c.Value, Cell: cell.Trim());
        }).ToDictionary(c => c.Value, c => c.Cell, StringComparer.Ordinal);
    }

    // Fast when nothing changed: the script keys the image on the hash of the publish output.
    private async Task<string> BuildOperatorImageAsync()
    {
        var output = await PlatformFixture.RunAsync("bash", [Path.Combine(_platform.RepoRoot, "scripts", "operator-image.sh")], TimeSpan.FromMinutes(10));
        return output.Split('\n').Select(l => l.Trim()).LastOrDefault(l => l.StartsWith("IMAGE=", StringComparison.Ordinal))?["IMAGE=".Length..]
            ?? throw new InvalidOperationException("scripts/operator-image.sh did not print IMAGE=<ref>:\n" + output);
    }

    // Not PlatformFixture.CreateNamespaceAsync: this class deletes its own namespace, and a second delete
    // at the end of the run would fail with a conflict while the namespace is still terminating.
    private async Task CreateNamespaceAsync()
    {
        var name = PlatformFixture.UniqueName("e2e");
        await _platform.Kubernetes.CoreV1.CreateNamespaceAsync(new V1Namespace
        {
            Metadata = new V1ObjectMeta { Name = name, Labels = new Dictionary<string, string> { ["imagebuilder.test"] = "true" } },
        });
        Namespace = name;
    }

    // As scripts/up.sh does: credentials reach the chart through an existing Secret, never through helm values.
    private async Task CreateRegistrySecretAsync() =>
        await _platform.Kubernetes.CoreV1.CreateNamespacedSecretAsync(new V1Secret
        {
            Metadata = new V1ObjectMeta { Name = RegistrySecret },
            StringData = new Dictionary<string, string> { ["username"] = _platform.RegistryUser, ["password"] = _platform.RegistryPassword },
        }, Namespace);

    private async Task InstallAsync()
    {
        _valuesFile = Path.Combine(Path.GetTempPath(), $"{Name}-values.yaml");
        // JSON is YAML: the values overlay is written with the serializer, so no value needs quoting by hand.
        await File.WriteAllTextAsync(_valuesFile, JsonSerializer.Serialize(Values()));
        var separator = Image.LastIndexOf(':');
        _installed = true;
        // --skip-crds: PlatformFixture applied this checkout's CRDs already; the shared cluster's CRD is not the
        // release's to take over (helm's server-side apply conflicts with the fixture's kubectl apply).
        var result = await Helm.RunAsync("install", Name, Helm.ChartDir, "--skip-crds", "--kubeconfig", _platform.KubeConfigPath, "-n", Namespace,
            "-f", Helm.DevValues, "-f", _valuesFile,
            "--set-string", "image.repository=" + Image[..separator], "--set-string", "image.tag=" + Image[(separator + 1)..]);
        Assert.True(result.Succeeded, $"helm install failed: {result}");
    }

    // Scoped to this namespace on the shared cluster: its own watch scope, target namespace, Lease and queues.
    private Dictionary<string, object> Values() => new()
    {
        ["replicaCount"] = Replicas,
        ["watchNamespace"] = Namespace,
        ["controller"] = new Dictionary<string, object> { ["leaderElection"] = new Dictionary<string, object> { ["leaseName"] = LeaseName } },
        ["github"] = new Dictionary<string, object> { ["apiUrl"] = GitHub.BaseUrl.ToString() },
        ["rabbitmq"] = new Dictionary<string, object>
        {
            ["targetNamespace"] = Namespace,
            ["queues"] = new Dictionary<string, object>
            {
                ["build"] = Queues.Build,
                ["fail"] = Queues.Fail,
                ["containerManager"] = Queues.ContainerManager,
                ["kusanali"] = Queues.Kusanali,
            },
        },
        ["retry"] = new Dictionary<string, object>
        {
            ["maxRetries"] = MaxRetries,
            ["baseDelay"] = "00:00:01",
            ["maxDelay"] = "00:00:02",
            ["delayTiers"] = DelayTierSeconds.Select(s => TimeSpan.FromSeconds(s).ToString()).ToArray(),
        },
        ["registry"] = new Dictionary<string, object> { ["existingSecret"] = RegistrySecret },
    };

    // Ready replicas, and every replica's bridge consuming the build queue: only then may a test publish.
    private async Task WaitUntilReadyAsync()
    {
        try
        {
            await Eventually.WaitAsync(async () => (await ReadyPodsAsync()).Count >= Replicas && (await Queues.CountsAsync(Queues.Build)).Consumers >= Replicas,
                ReadyWithin, $"{Replicas} Ready replicas consuming {Queues.Build}");
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"{e.Message}\n{await OperatorContainers.DescribeAsync(_platform, Namespace)}", e);
        }
    }

    public async Task DisposeAsync()
    {
        GC.SuppressFinalize(this);
        var failures = new List<Exception>();
        await TryAsync(failures, UninstallAsync);
        // Shared queue names stay (another release may consume them); the delay tiers are this class's own.
        await TryAsync(failures, () => Queues.DeleteAsync(Queues.Owned
            ? [Queues.Build, Queues.Fail, Queues.ContainerManager, Queues.Kusanali, .. Queues.DelayQueues(DelayTierSeconds)]
            : Queues.DelayQueues(DelayTierSeconds)));
        await TryAsync(failures, DeleteNamespaceAsync);
        await TryAsync(failures, async () => await Queues.DisposeAsync());
        if (GitHub is not null)
        {
            await TryAsync(failures, async () => await GitHub.DisposeAsync());
        }
        if (_valuesFile is not null)
        {
            File.Delete(_valuesFile);
        }
        if (failures.Count > 0)
        {
            throw new AggregateException("cleaning up the end-to-end release failed", failures);
        }
    }

    private async Task UninstallAsync()
    {
        if (!_installed)
        {
            return;
        }
        var result = await Helm.RunAsync("uninstall", Name, "--kubeconfig", _platform.KubeConfigPath, "-n", Namespace);
        Assert.True(result.Succeeded || result.StdErr.Contains("not found", StringComparison.Ordinal), $"helm uninstall failed: {result}");
        await WaitUntilPodsGoneAsync();
    }

    // A replica still shutting down re-declares the queues it consumes when they are deleted under it,
    // so the queues go only after the last pod.
    private Task WaitUntilPodsGoneAsync() =>
        Eventually.WaitAsync(async () => (await _platform.Kubernetes.CoreV1.ListNamespacedPodAsync(Namespace, labelSelector: "app.kubernetes.io/instance=" + Name)).Items.Count == 0,
            TimeSpan.FromSeconds(90), $"the pods of release {Name} to be gone after helm uninstall");

    private async Task DeleteNamespaceAsync()
    {
        if (Namespace.Length == 0)
        {
            return;
        }
        try
        {
            await _platform.Kubernetes.CoreV1.DeleteNamespaceAsync(Namespace);
        }
        catch (k8s.Autorest.HttpOperationException e) when (e.Response.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            // Already gone.
        }
    }

    private static async Task TryAsync(List<Exception> failures, Func<Task> step)
    {
        try
        {
            await step();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            failures.Add(e);
        }
    }
}
