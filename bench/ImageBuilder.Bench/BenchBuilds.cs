using System.Globalization;
using ImageBuilder.Operator.Api;
using ImageBuilder.Operator.Tests.GitHubServer;
using k8s;
using k8s.Models;

namespace ImageBuilder.Bench;

/// <summary>ImageBuilds and requests of the sample repository, and waits on them.</summary>
public static class BenchBuilds
{
    public const string SharedTokenSecret = "bench-token";

    public static ImageBuild New(string ns, string name, string app, string tokenSecret) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns },
        Spec = new ImageBuildSpec
        {
            UserId = "18008",
            ApplicationId = app,
            Source = new SourceSpec
            {
                Connector = Connectors.GitHub,
                Repo = SampleRepository.FullName,
                Type = RefTypes.Repo,
                TokenSecretRef = new SecretKeyRef { Name = tokenSecret, Key = "token" },
            },
            BuildPlan = new BuildPlanSpec { Builder = "docker" },
            MaxRetries = 2,
            TimeoutSeconds = 300,
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
    /// Seconds the build's pod spent in its containers (init and main). The kubelet reports container times to the
    /// second, so they come from the node's Docker engine, which keeps nanoseconds (the dev cluster runs on dockershim).
    /// </summary>
    public static async Task<double> ContainerSecondsAsync(IKubernetes k8s, string ns, string jobName)
    {
        var pods = await k8s.CoreV1.ListNamespacedPodAsync(ns, labelSelector: "job-name=" + jobName);
        var pod = pods.Items.SingleOrDefault() ?? throw new InvalidOperationException($"Job {ns}/{jobName} has {pods.Items.Count} pods");
        var ids = (await DockerAsync("ps", "-aq", "--no-trunc", "--filter", "label=io.kubernetes.pod.namespace=" + ns,
            "--filter", "label=io.kubernetes.pod.name=" + pod.Metadata.Name, "--filter", "label=io.kubernetes.docker.type=container"))
            .Split('\n', StringSplitOptions.RemoveEmptyEntries);
        if (ids.Length == 0)
        {
            throw new InvalidOperationException($"no Docker containers for pod {ns}/{pod.Metadata.Name}");
        }
        var times = await DockerAsync(["inspect", "-f", "{{.State.StartedAt}} {{.State.FinishedAt}}", .. ids]);
        return times.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split(' '))
            .Sum(p => (DateTimeOffset.Parse(p[1], CultureInfo.InvariantCulture) - DateTimeOffset.Parse(p[0], CultureInfo.InvariantCulture)).TotalSeconds);
    }

    private static Task<string> DockerAsync(params string[] args) =>
        ImageBuilder.Operator.Tests.Integration.PlatformFixture.RunAsync("docker", args, TimeSpan.FromMinutes(1));
}
