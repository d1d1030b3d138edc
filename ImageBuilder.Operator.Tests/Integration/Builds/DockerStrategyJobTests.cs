using System.Text;
using ImageBuilder.Operator.Api;
using ImageBuilder.Operator.Builds;
using ImageBuilder.Operator.Options;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;

namespace ImageBuilder.Operator.Tests.Integration.Builds;

/// <summary>
/// The docker strategy's Job on the real cluster: fetch a tarball from a loopback server with the
/// token from a Secret, build through the node's Docker engine, push, and report through the
/// termination message, read by <see cref="BuildJobObserver"/>.
/// </summary>
[Collection(PlatformCollection.Name)]
public sealed class DockerStrategyJobTests(PlatformFixture fixture)
{
    private const string Token = "gho_integration-token-5c1e";
    private static readonly TimeSpan JobTimeout = TimeSpan.FromMinutes(3);

    [Fact]
    public async Task DockerJob_TinyDockerfile_PushesTheDigestTheRegistryReports()
    {
        await using var server = await ArchiveServer.StartAsync(Token);
        var url = server.Add("ok", new Dictionary<string, string>
        {
            ["app/Dockerfile"] = $"FROM {fixture.Registry}/base/busybox:latest\nARG GREETING\nCOPY hello.txt /hello.txt\nRUN echo \"$GREETING\" > /greeting.txt\n",
            ["app/hello.txt"] = "hello " + Guid.NewGuid() + "\n",
        });
        var plan = new BuildPlanSpec { Builder = "docker", RootDirectory = "app", Envs = [new BuildEnv { Key = "GREETING", Value = "hi" }] };

        var (outcome, image, job) = await RunAsync(url, plan);

        var succeeded = Assert.IsType<JobOutcome.Succeeded>(outcome);
        var lookup = await Registry().GetDigestAsync(image.Repository, image.Tag, CancellationToken.None);
        Assert.Equal(lookup.Digest, succeeded.Digest);
        Assert.Contains("naming to", succeeded.LogTail, StringComparison.Ordinal);
        Assert.DoesNotContain(job.Spec.Template.Spec.Containers.Concat(job.Spec.Template.Spec.InitContainers).SelectMany(c => c.Env), e => e.Value?.Contains(Token, StringComparison.Ordinal) == true);
    }

    [Fact]
    public async Task DockerJob_CloneUrl_BuildsTheCommitFromGit()
    {
        var (daemon, commit) = await GitDaemon.StartAsync(new Dictionary<string, string>
        {
            ["Dockerfile"] = $"FROM {fixture.Registry}/base/busybox:latest\nCOPY version.txt /version.txt\n",
            ["version.txt"] = Guid.NewGuid().ToString(),
        });
        await using var _ = daemon;

        var (outcome, image, _) = await RunAsync(null, null, daemon.Url("repo.git"), commit);

        var succeeded = Assert.IsType<JobOutcome.Succeeded>(outcome);
        Assert.Equal(commit, image.Tag);
        Assert.Equal((await Registry().GetDigestAsync(image.Repository, image.Tag, CancellationToken.None)).Digest, succeeded.Digest);
    }

    [Fact]
    public async Task DockerJob_FailingRunStep_IsAUserFaultWithTheLogTail()
    {
        await using var server = await ArchiveServer.StartAsync(Token);
        var url = server.Add("broken", new Dictionary<string, string>
        {
            ["Dockerfile"] = $"FROM {fixture.Registry}/base/busybox:latest\nRUN echo 'main.c:3: error: expected semicolon' && exit 2\n",
        });

        var (outcome, _, _) = await RunAsync(url, null);

        var failure = Assert.IsType<JobOutcome.Failed>(outcome).Failure;
        Assert.Equal((Faults.User, BuildReasons.BuildFailed), (failure.Fault, failure.Reason));
        Assert.Contains("main.c:3: error: expected semicolon", failure.LogTail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DockerJob_ArchiveNotFound_IsAUserFault()
    {
        await using var server = await ArchiveServer.StartAsync(Token);

        var (outcome, _, _) = await RunAsync(server.Url("missing"), null);

        var failure = Assert.IsType<JobOutcome.Failed>(outcome).Failure;
        Assert.Equal((Faults.User, BuildReasons.SourceNotFound), (failure.Fault, failure.Reason));
    }

    [Fact]
    public async Task DockerJob_NoDockerfile_SaysNixpacksIsUnavailable()
    {
        await using var server = await ArchiveServer.StartAsync(Token);
        var url = server.Add("nodockerfile", new Dictionary<string, string> { ["package.json"] = "{}" });

        var (outcome, _, _) = await RunAsync(url, null);

        var failure = Assert.IsType<JobOutcome.Failed>(outcome).Failure;
        Assert.Equal((Faults.User, BuildReasons.NixpacksUnavailable), (failure.Fault, failure.Reason));
        Assert.Contains("nixpacks is unavailable", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DockerJob_TokenRefused_IsAUserFault()
    {
        await using var server = await ArchiveServer.StartAsync("another-token");
        var url = server.Add("private", new Dictionary<string, string> { ["Dockerfile"] = "FROM scratch\n" });

        var (outcome, _, _) = await RunAsync(url, null);

        var failure = Assert.IsType<JobOutcome.Failed>(outcome).Failure;
        Assert.Equal((Faults.User, BuildReasons.SourceAccessDenied), (failure.Fault, failure.Reason));
        Assert.Contains("HTTP 401", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DockerJob_ImageCannotBePulled_PendingTooLongOncePastTheWatchdog()
    {
        var options = Options();
        options.Images.Fetch = $"{fixture.Registry}/it/never-pushed-fetch:v1";
        var (ns, job) = await StartAsync("http://127.0.0.1:9/unused.tar.gz", null, options);
        var pod = await WaitForPodAsync(ns, job.Metadata.Name, p => p.Status?.InitContainerStatuses?.Any(s => s.State?.Waiting?.Reason is "ErrImagePull" or "ImagePullBackOff") == true);
        var observer = new BuildJobObserver();
        var created = new DateTimeOffset(DateTime.SpecifyKind(pod.Metadata.CreationTimestamp!.Value, DateTimeKind.Utc));
        job = await fixture.Kubernetes.BatchV1.ReadNamespacedJobAsync(job.Metadata.Name, ns);

        var early = observer.Observe(job, pod, created + TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(5));
        var late = observer.Observe(job, pod, created + TimeSpan.FromMinutes(6), TimeSpan.FromMinutes(5));

        Assert.IsType<JobOutcome.Running>(early);
        var failure = Assert.IsType<JobOutcome.PendingTooLong>(late).Failure;
        Assert.Equal((Faults.Service, BuildReasons.BuildPodNeverStarted), (failure.Fault, failure.Reason));
        Assert.Matches("ErrImagePull|ImagePullBackOff", failure.Message);
    }

    private async Task<(JobOutcome Outcome, ImageName Image, V1Job Job)> RunAsync(string? archiveUrl, BuildPlanSpec? plan, string? cloneUrl = null, string? commit = null)
    {
        var (ns, job) = await StartAsync(archiveUrl, plan, Options(), cloneUrl, commit);
        var image = ImageName.Parse(job.Spec.Template.Spec.Containers[0].Env.Single(e => e.Name == "IB_IMAGE").Value);
        return (await WaitAsync(ns, job.Metadata.Name), image, job);
    }

    private async Task<(string Namespace, V1Job Job)> StartAsync(string? archiveUrl, BuildPlanSpec? plan, BuildOptions options, string? cloneUrl = null, string? commit = null)
    {
        var ns = await fixture.CreateNamespaceAsync("builds");
        await fixture.Kubernetes.CoreV1.CreateNamespacedSecretAsync(
            RegistrySecret.Create(options.RegistrySecretName, ns, fixture.Registry, fixture.RegistryUser, fixture.RegistryPassword), ns);
        await fixture.Kubernetes.CoreV1.CreateNamespacedSecretAsync(new V1Secret
        {
            Metadata = new V1ObjectMeta { Name = "source-token" },
            Data = new Dictionary<string, byte[]> { ["token"] = Encoding.UTF8.GetBytes(Token) },
        }, ns);
        var build = await fixture.Kubernetes.CustomObjects.CreateNamespacedCustomObjectAsync<ImageBuild>(new ImageBuild
        {
            Metadata = new V1ObjectMeta { Name = "sample", NamespaceProperty = ns },
            Spec = new ImageBuildSpec
            {
                ApplicationId = ns,
                UserId = "it",
                Source = new SourceSpec { Repo = "owner/sample", TokenSecretRef = new SecretKeyRef { Name = "source-token" } },
                BuildPlan = plan,
            },
        }, ImageBuild.Group, ImageBuild.Version, ns, ImageBuild.Plural);

        commit ??= Convert.ToHexStringLower(Guid.NewGuid().ToByteArray()) + "00000000";
        var image = new ImageNamer(Microsoft.Extensions.Options.Options.Create(options)).For(build, commit);
        var request = new BuildJobRequest(build, "sample-1", 1, commit, archiveUrl, cloneUrl, image.Reference, "source-token", "token", options.RegistrySecretName, JobTimeout);
        Assert.Empty(ImageBuilder.Operator.Requests.RequestRules.Validate(build.Spec));
        var job = await fixture.Kubernetes.BatchV1.CreateNamespacedJobAsync(new DockerStrategy(Microsoft.Extensions.Options.Options.Create(options)).CreateJob(request), ns);
        return (ns, job);
    }

    private async Task<V1Pod> WaitForPodAsync(string ns, string jobName, Func<V1Pod, bool> condition)
    {
        var deadline = DateTimeOffset.UtcNow + JobTimeout;
        while (true)
        {
            var pods = await fixture.Kubernetes.CoreV1.ListNamespacedPodAsync(ns, labelSelector: $"job-name={jobName}");
            if (pods.Items.FirstOrDefault(condition) is { } pod)
            {
                return pod;
            }
            if (DateTimeOffset.UtcNow > deadline)
            {
                Assert.Fail($"No pod of {ns}/{jobName} reached the expected state: {KubernetesJson.Serialize(pods.Items.Select(p => p.Status))}");
            }
            await Task.Delay(TimeSpan.FromMilliseconds(500));
        }
    }

    /// <summary>Polls the Job and its pod until the observer sees an end; bounded by the Job's own deadline.</summary>
    private async Task<JobOutcome> WaitAsync(string ns, string jobName)
    {
        var observer = new BuildJobObserver();
        var deadline = DateTimeOffset.UtcNow + JobTimeout + TimeSpan.FromSeconds(30);
        while (true)
        {
            var job = await fixture.Kubernetes.BatchV1.ReadNamespacedJobAsync(jobName, ns);
            var pods = await fixture.Kubernetes.CoreV1.ListNamespacedPodAsync(ns, labelSelector: $"job-name={jobName}");
            var pod = pods.Items.OrderByDescending(p => p.Metadata.CreationTimestamp).FirstOrDefault();
            var outcome = observer.Observe(job, pod, DateTimeOffset.UtcNow, TimeSpan.FromMinutes(2));
            if (outcome is not JobOutcome.Running)
            {
                return outcome;
            }
            if (DateTimeOffset.UtcNow > deadline)
            {
                Assert.Fail($"Job {ns}/{jobName} still running: {(pod is null ? "no pod" : KubernetesJson.Serialize(pod.Status))}");
            }
            await Task.Delay(TimeSpan.FromMilliseconds(500));
        }
    }

    private BuildOptions Options()
    {
        var options = new BuildOptions
        {
            Strategy = BuildOptions.StrategyNames.Docker,
            Registry = fixture.Registry,
            RegistryUsername = fixture.RegistryUser,
            RegistryPassword = fixture.RegistryPassword,
            RegistrySecretName = "registry",
        };
        options.Images.Fetch = "imagebuilder/fetch:dev";
        options.Resources.Limits.Clear();
        options.Resources.Requests.Clear();
        return options;
    }

    private RegistryClient Registry() =>
        new(new HttpClient(), Microsoft.Extensions.Options.Options.Create(Options()), NullLogger<RegistryClient>.Instance);
}
