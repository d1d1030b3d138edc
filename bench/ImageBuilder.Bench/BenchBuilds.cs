using System.Globalization;
using ImageBuilder.GitHubServer;
using ImageBuilder.Operator.Api;
using ImageBuilder.Testing;
using k8s;
using k8s.Models;

namespace ImageBuilder.Bench;

/// <summary>ImageBuilds and requests of the sample repository, and waits on them.</summary>
public static class BenchBuilds
{
    public const string SharedTokenSecret = "bench-token";

    public static ImageBuild New(string ns, string name, string app, string tokenSecret) =>
        New(ns, name, app, tokenSecret, SampleRepository.FullName, commit: null, timeoutSeconds: 300);

    /// <summary>An ImageBuild of <paramref name="repo"/>'s main branch, or of <paramref name="commit"/> when given.</summary>
    public static ImageBuild New(string ns, string name, string app, string tokenSecret, string repo, string? commit, int timeoutSeconds) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns },
        Spec = new ImageBuildSpec
        {
            UserId = "18008",
            ApplicationId = app,
            Source = new SourceSpec
            {
                Connector = Connectors.GitHub,
                Repo = repo,
                Type = commit is null ? RefTypes.Repo : RefTypes.Commit,
                Commit = commit,
                TokenSecretRef = new SecretKeyRef { Name = tokenSecret, Key = "token" },
            },
            BuildPlan = new BuildPlanSpec { Builder = "docker" },
            MaxRetries = 2,
            TimeoutSeconds = timeoutSeconds,
        },
    };

    public static Task<ImageBuild> CreateAsync(IKubernetes k8s, ImageBuild build) =>
        k8s.CustomObjects.CreateNamespacedCustomObjectAsync<ImageBuild>(build, ImageBuild.Group, ImageBuild.Version, build.Metadata.NamespaceProperty, ImageBuild.Plural);

    public static Task<V1Secret> CreateTokenSecretAsync(IKubernetes k8s, string ns, string name) =>
        k8s.CoreV1.CreateNamespacedSecretAsync(
            new V1Secret { Metadata = new V1ObjectMeta { Name = name }, StringData = new Dictionary<string, string> { ["token"] = SampleRepository.Token } }, ns);

    public static async Task<int> CountAsync(IKubernetes k8s, string ns)
    {
        var list = await k8s.CustomObjects.ListNamespacedCustomObjectAsync<ImageBuildList>(ImageBuild.Group, ImageBuild.Version, ns, ImageBuild.Plural);
        return list.Items.Count;
    }

    /// <summary>Token Secrets the bridge wrote (labelled as the operator's).</summary>
    public static async Task<int> CountTokenSecretsAsync(IKubernetes k8s, string ns)
    {
        var list = await k8s.CoreV1.ListNamespacedSecretAsync(ns, labelSelector: $"{Annotations.ManagedByLabel}={Annotations.ManagedByValue}");
        return list.Items.Count;
    }

    public static async Task<(int Total, int Terminal)> CountTerminalAsync(IKubernetes k8s, string ns)
    {
        var list = await k8s.CustomObjects.ListNamespacedCustomObjectAsync<ImageBuildList>(ImageBuild.Group, ImageBuild.Version, ns, ImageBuild.Plural);
        return (list.Items.Count, list.Items.Count(b => b.Status?.Phase is Phases.Succeeded or Phases.Failed));
    }

    /// <summary>Polls (50 ms) until the build is terminal; returns it.</summary>
    public static async Task<ImageBuild> WaitTerminalAsync(IKubernetes k8s, string ns, string name, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            var b = await k8s.CustomObjects.GetNamespacedCustomObjectAsync<ImageBuild>(ImageBuild.Group, ImageBuild.Version, ns, ImageBuild.Plural, name);
            if (b.Status?.Phase is Phases.Succeeded or Phases.Failed)
            {
                return b;
            }
            await Task.Delay(50);
        }
        throw new TimeoutException($"{ns}/{name} did not finish in {timeout}");
    }

    /// <summary>
    /// Seconds the build's pod spent in its containers (init and main), or only in the container named
    /// <paramref name="container"/>. The kubelet reports container times to the second, so they come from the node's
    /// Docker engine, which keeps nanoseconds (the dev cluster's kubelet runs its pods on dockershim).
    /// </summary>
    public static async Task<double> ContainerSecondsAsync(IKubernetes k8s, string ns, string jobName, string? container = null)
    {
        var ids = await ContainerIdsAsync(k8s, ns, jobName, container);
        var times = await DockerAsync(["inspect", "-f", "{{.State.StartedAt}} {{.State.FinishedAt}}", .. ids]);
        return times.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split(' '))
            .Sum(p => (DateTimeOffset.Parse(p[1], CultureInfo.InvariantCulture) - DateTimeOffset.Parse(p[0], CultureInfo.InvariantCulture)).TotalSeconds);
    }

    /// <summary>
    /// The output of the build's container <paramref name="container"/>, from the node's Docker engine: the build
    /// script prints BuildKit's whole plain progress when it ends (the termination message keeps only its tail).
    /// </summary>
    public static async Task<string> ContainerLogAsync(IKubernetes k8s, string ns, string jobName, string container)
    {
        var ids = await ContainerIdsAsync(k8s, ns, jobName, container);
        return await DockerAsync("logs", ids[0]);
    }

    /// <summary>The Job's start → completion, from its status (whole seconds: the apiserver keeps no more).</summary>
    public static async Task<double> JobSecondsAsync(IKubernetes k8s, string ns, string jobName)
    {
        var job = await k8s.BatchV1.ReadNamespacedJobAsync(jobName, ns);
        return job.Status?.StartTime is { } start && job.Status.CompletionTime is { } end ? (end - start).TotalSeconds : double.NaN;
    }

    /// <summary>
    /// The pod's containers as the node's Docker engine saw them (nanoseconds, the host's clock): name (the sandbox is
    /// <c>POD</c>), start and end (the sandbox's end is unset while the pod exists).
    /// </summary>
    public static async Task<IReadOnlyDictionary<string, (DateTimeOffset Started, DateTimeOffset Finished)>> PodTimelineAsync(IKubernetes k8s, string ns, string jobName)
    {
        var pods = await k8s.CoreV1.ListNamespacedPodAsync(ns, labelSelector: "job-name=" + jobName);
        var pod = pods.Items.SingleOrDefault() ?? throw new InvalidOperationException($"Job {ns}/{jobName} has {pods.Items.Count} pods");
        var ids = (await DockerAsync("ps", "-aq", "--no-trunc", "--filter", "label=io.kubernetes.pod.namespace=" + ns, "--filter", "label=io.kubernetes.pod.name=" + pod.Metadata.Name))
            .Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var lines = await DockerAsync(["inspect", "-f", "{{index .Config.Labels \"io.kubernetes.container.name\"}} {{.State.StartedAt}} {{.State.FinishedAt}}", .. ids]);
        return lines.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split(' '))
            .ToDictionary(p => p[0], p => (DateTimeOffset.Parse(p[1], CultureInfo.InvariantCulture), DateTimeOffset.Parse(p[2], CultureInfo.InvariantCulture)));
    }

    private static async Task<string[]> ContainerIdsAsync(IKubernetes k8s, string ns, string jobName, string? container)
    {
        var pods = await k8s.CoreV1.ListNamespacedPodAsync(ns, labelSelector: "job-name=" + jobName);
        var pod = pods.Items.SingleOrDefault() ?? throw new InvalidOperationException($"Job {ns}/{jobName} has {pods.Items.Count} pods");
        string[] filters = ["--filter", "label=io.kubernetes.pod.namespace=" + ns, "--filter", "label=io.kubernetes.pod.name=" + pod.Metadata.Name,
            "--filter", "label=io.kubernetes.docker.type=container"];
        if (container is not null)
        {
            filters = [.. filters, "--filter", "label=io.kubernetes.container.name=" + container];
        }
        var ids = (await DockerAsync(["ps", "-aq", "--no-trunc", .. filters])).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        return ids.Length > 0 ? ids : throw new InvalidOperationException($"no Docker containers {container} for pod {ns}/{pod.Metadata.Name}");
    }

    private static Task<string> DockerAsync(params string[] args) =>
        PlatformFixture.RunAsync("docker", args, TimeSpan.FromMinutes(1));
}
