using System.Net;
using System.Net.Http.Headers;
using System.Text;
using ImageBuilder.GitHubServer;
using ImageBuilder.Operator.Api;
using ImageBuilder.Testing.Operators;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Xunit.Abstractions;

namespace ImageBuilder.Operator.Tests.Integration.Reconciliation;

/// <summary>
/// One reconciler test's world: a fresh namespace, a GitHub test server, the operator host(s)
/// scoped to that namespace, and helpers to create builds and read what happened to them.
/// </summary>
public sealed class BuildScenario : IAsyncDisposable
{
    public static readonly TimeSpan BuildTimeout = TimeSpan.FromSeconds(120);
    private readonly List<OperatorHost> _hosts = [];
    private readonly ITestOutputHelper _output;

    private BuildScenario(PlatformFixture fixture, ITestOutputHelper output, GitHubTestServer github, OperatorHostSettings settings)
    {
        Fixture = fixture;
        _output = output;
        GitHub = github;
        Settings = settings;
    }

    public PlatformFixture Fixture { get; }

    public GitHubTestServer GitHub { get; }

    public OperatorHostSettings Settings { get; }

    public string Namespace => Settings.Namespace;

    public IKubernetes Kubernetes => Fixture.Kubernetes;

    /// <summary>The first operator host.</summary>
    public OperatorHost Operator => _hosts[0];

    /// <summary>A namespace and GitHub server; with <paramref name="hosts"/> operator hosts started on them (sharing Lease and queues).</summary>
    public static async Task<BuildScenario> StartAsync(PlatformFixture fixture, ITestOutputHelper output, bool rabbitMq = false,
        Dictionary<string, string?>? overrides = null, int hosts = 1, Action<Microsoft.Extensions.DependencyInjection.IServiceCollection>? configureServices = null)
    {
        ArgumentNullException.ThrowIfNull(fixture);
        var ns = await fixture.CreateNamespaceAsync("rt");
        var github = await GitHubTestServer.StartAsync();
        var settings = new OperatorHostSettings
        {
            Namespace = ns,
            RabbitMq = rabbitMq,
            Overrides = overrides ?? new(StringComparer.Ordinal),
            ConfigureServices = configureServices,
        };
        var scenario = new BuildScenario(fixture, output, github, settings);
        try
        {
            for (var i = 0; i < hosts; i++)
            {
                scenario._hosts.Add(await OperatorHost.StartAsync(fixture, github, settings, output));
            }
            return scenario;
        }
        catch
        {
            await scenario.DisposeAsync();
            throw;
        }
    }

    public IReadOnlyList<OperatorHost> Hosts => _hosts;

    /// <summary>Stops and removes every running host, as a crash or a rollout of all replicas would.</summary>
    public async Task StopOperatorsAsync()
    {
        foreach (var host in _hosts)
        {
            await host.DisposeAsync();
        }
        _hosts.Clear();
    }

    /// <summary>Starts one more host with the same settings (namespace, Lease, queues).</summary>
    public async Task<OperatorHost> StartOperatorAsync()
    {
        var host = await OperatorHost.StartAsync(Fixture, GitHub, Settings, _output);
        _hosts.Add(host);
        return host;
    }

    /// <summary>A private repository holding <paramref name="files"/>, readable with the returned token.</summary>
    public async Task<(string Repo, string Token, string Commit)> CreateRepositoryAsync(IReadOnlyDictionary<string, string> files)
    {
        var repo = "rt/" + PlatformFixture.UniqueName("app");
        var token = "tok-" + Guid.NewGuid().ToString("N");
        await GitHub.CreateRepositoryAsync(repo, files, token);
        var commit = await GitHubTestServer.RevParseAsync(GitHub.Get(repo), "refs/heads/main") ?? throw new InvalidOperationException("no commit");
        return (repo, token, commit);
    }

    /// <summary>An ImageBuild of <paramref name="repo"/>'s main branch with the docker builder and no retries unless given.</summary>
    public static ImageBuild NewBuild(string name, string repo, string? tokenSecret, string? applicationId = null, int? maxRetries = 0) => new()
    {
        Metadata = new V1ObjectMeta { Name = name },
        Spec = new ImageBuildSpec
        {
            UserId = "rtests",
            ApplicationId = applicationId ?? name,
            Source = new SourceSpec
            {
                Connector = Connectors.GitHub,
                Repo = repo,
                Type = RefTypes.Repo,
                Branch = "main",
                TokenSecretRef = tokenSecret is null ? null : new SecretKeyRef { Name = tokenSecret, Key = "token" },
            },
            BuildPlan = new BuildPlanSpec { Builder = "docker" },
            MaxRetries = maxRetries,
        },
    };

    /// <summary>
    /// Creates the token Secret (labelled for the build, as the queue bridge does), the ImageBuild,
    /// then makes the build the Secret's owner so the garbage collector takes it with the build.
    /// </summary>
    public async Task<ImageBuild> SubmitAsync(ImageBuild build, string? token)
    {
        ArgumentNullException.ThrowIfNull(build);
        var secretName = build.Spec.Source.TokenSecretRef?.Name;
        if (secretName is not null && token is not null)
        {
            await Kubernetes.CoreV1.CreateNamespacedSecretAsync(new V1Secret
            {
                // A label value holds at most 63 characters; a longer build name relies on the ownerReference alone.
                Metadata = new V1ObjectMeta
                {
                    Name = secretName,
                    Labels = build.Metadata.Name.Length <= 63 ? new Dictionary<string, string> { [Annotations.BuildLabel] = build.Metadata.Name } : null,
                },
                Type = "Opaque",
                Data = new Dictionary<string, byte[]> { ["token"] = Encoding.UTF8.GetBytes(token) },
            }, Namespace);
        }
        var created = await Kubernetes.CustomObjects.CreateNamespacedCustomObjectAsync<ImageBuild>(build, ImageBuild.Group, ImageBuild.Version, Namespace, ImageBuild.Plural);
        if (secretName is not null && token is not null)
        {
            var owner = new V1OwnerReference { ApiVersion = ImageBuild.ApiGroupVersion, Kind = ImageBuild.KindName, Name = created.Metadata.Name, Uid = created.Metadata.Uid };
            var patch = new V1Patch(KubernetesJson.Serialize(new { metadata = new { ownerReferences = new[] { owner } } }), V1Patch.PatchType.MergePatch);
            await Kubernetes.CoreV1.PatchNamespacedSecretAsync(patch, secretName, Namespace);
        }
        return created;
    }

    public async Task<ImageBuild?> GetAsync(string name)
    {
        try
        {
            return await Kubernetes.CustomObjects.GetNamespacedCustomObjectAsync<ImageBuild>(ImageBuild.Group, ImageBuild.Version, Namespace, ImageBuild.Plural, name);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    /// <summary>Waits for the build to reach one of <paramref name="phases"/>, then for the end-of-build cleanup when terminal.</summary>
    public async Task<ImageBuild> WaitForPhaseAsync(string name, params string[] phases)
    {
        var terminal = phases.All(p => p is Phases.Succeeded or Phases.Failed);
        var build = await Eventually.ValueAsync(() => GetAsync(name),
            b => b?.Status?.Phase is { } phase && phases.Contains(phase) && (!terminal || b.Status.CleanedUp == true),
            BuildTimeout, $"ImageBuild {Namespace}/{name} in phase {string.Join(" or ", phases)}", Describe);
        _output.WriteLine($"{name}: {Describe(build)}");
        return build!;
    }

    /// <summary>Waits for <paramref name="name"/> to end (Succeeded or Failed, cleaned up); it must have ended in <paramref name="phase"/>. Its status.</summary>
    public async Task<ImageBuildStatus> WaitForEndAsync(string name, string phase)
    {
        var build = await WaitForPhaseAsync(name, Phases.Succeeded, Phases.Failed);
        Assert.Equal(phase, build.Status!.Phase);
        return build.Status;
    }

    public static string Describe(ImageBuild? build) => build is null ? "(gone)" : KubernetesJson.Serialize(build.Status);

    /// <summary>The build Jobs of <paramref name="buildName"/> (by the operator's label).</summary>
    public async Task<IList<V1Job>> JobsAsync(string buildName) =>
        (await Kubernetes.BatchV1.ListNamespacedJobAsync(Namespace, labelSelector: $"{Annotations.BuildLabel}={buildName}")).Items;

    public async Task<IList<Corev1Event>> EventsAsync(string buildName) =>
        (await Kubernetes.CoreV1.ListNamespacedEventAsync(Namespace, fieldSelector: $"involvedObject.name={buildName}")).Items;

    /// <summary>
    /// The Events of <paramref name="buildName"/> once one with <paramref name="reason"/> is there. A reconcile records
    /// its Events after its status write, so a test that has just seen that write may list them a moment too early.
    /// </summary>
    public Task<IList<Corev1Event>> EventsOnceAsync(string buildName, string reason) =>
        Eventually.ValueAsync(() => EventsAsync(buildName), e => e.Any(x => x.Reason == reason), TimeSpan.FromSeconds(90),
            $"a {reason} Event on {buildName}", e => string.Join(", ", e.Select(x => x.Reason)));

    public async Task<V1Secret?> SecretAsync(string name)
    {
        try
        {
            return await Kubernetes.CoreV1.ReadNamespacedSecretAsync(name, Namespace);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    /// <summary>The registry's Docker-Content-Digest for <paramref name="image"/> (<c>host/repo:tag</c>), null when absent.</summary>
    public async Task<string?> RegistryDigestAsync(string image)
    {
        var slash = image.IndexOf('/', StringComparison.Ordinal);
        var colon = image.LastIndexOf(':');
        var repository = image[(slash + 1)..colon];
        var tag = image[(colon + 1)..];
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Head, new Uri($"http://{Fixture.Registry}/v2/{repository}/manifests/{tag}"));
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{Fixture.RegistryUser}:{Fixture.RegistryPassword}")));
        foreach (var type in new[] { "application/vnd.docker.distribution.manifest.v2+json", "application/vnd.oci.image.manifest.v1+json",
            "application/vnd.docker.distribution.manifest.list.v2+json", "application/vnd.oci.image.index.v1+json" })
        {
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(type));
        }
        using var response = await http.SendAsync(request);
        return response.StatusCode == HttpStatusCode.NotFound ? null
            : response.EnsureSuccessStatusCode().Headers.GetValues("Docker-Content-Digest").Single();
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var host in _hosts)
        {
            await host.DisposeAsync();
        }
        await GitHub.DisposeAsync();
    }
}
