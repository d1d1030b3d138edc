using System.Text;
using ImageBuilder.Operator.Api;
using ImageBuilder.Operator.Builds;
using ImageBuilder.Operator.Options;
using ImageBuilder.Testing.Git;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;

namespace ImageBuilder.Operator.Tests.Integration.Builds;

/// <summary>
/// The build Job on the real cluster with the real rootless BuildKit image made here from Debian's sources
/// (<see cref="ImageBuilder.Testing.Operators.OperatorConfiguration.DevBuildKitImage"/>): fetch a tarball from a loopback server with the
/// token from a Secret, plan, build and push with rootless BuildKit as user 1000, and report through the
/// termination message, read by <see cref="BuildJobObserver"/>. The build uses nothing of the node's Docker (the test
/// pulls and runs the result with it).
/// </summary>
[Collection(PlatformCollection.Name)]
public sealed class BuildKitJobTests(PlatformFixture fixture)
{
    private const string Token = "gho_integration-token-5c1e";
    private static readonly TimeSpan JobTimeout = TimeSpan.FromMinutes(4);

    [Fact]
    public async Task BuildKitJob_TinyDockerfile_PushesTheDigestTheRegistryReports()
    {
        await using var server = await ArchiveServer.StartAsync(Token);
        var url = server.Add("ok", new Dictionary<string, string>
        {
            ["app/Dockerfile"] = $"FROM {fixture.Registry}/base/busybox:latest\nARG GREETING\nCOPY hello.txt /hello.txt\nRUN echo \"$GREETING\" > /greeting.txt\n",
            ["app/hello.txt"] = "hello " + Guid.NewGuid() + "\n",
        });
        var plan = new BuildPlanSpec { Builder = "docker", RootDirectory = "app", Envs = [new BuildEnv { Key = "GREETING", Value = "hi" }] };

        var (outcome, image, job) = await RunAsync(url, plan);

        var succeeded = await AssertPushedAsync(outcome, image);
        // BuildKit's own progress output, pushed by the rootless daemon in the pod.
        Assert.Contains("exporting to image", succeeded.LogTail, StringComparison.Ordinal);
        Assert.Contains("pushing layers", succeeded.LogTail, StringComparison.Ordinal);
        var build = job.Spec.Template.Spec.Containers.Single();
        Assert.Equal((1000L, (bool?)null), (build.SecurityContext.RunAsUser!.Value, build.SecurityContext.Privileged));
        Assert.All(job.Spec.Template.Spec.Volumes, v => Assert.Null(v.HostPath));
        Assert.DoesNotContain(job.Spec.Template.Spec.Containers.Concat(job.Spec.Template.Spec.InitContainers).SelectMany(c => c.Env), e => e.Value?.Contains(Token, StringComparison.Ordinal) == true);
        Assert.Equal("hi", await RunImageAsync(image.Repository + "@" + succeeded.Digest, "cat", "/greeting.txt"));
    }

    [Fact]
    public async Task BuildKitJob_RepositoryDockerfileAndNoPlan_PlanContainerChoosesIt()
    {
        await using var server = await ArchiveServer.StartAsync(Token);
        var url = server.Add("auto", new Dictionary<string, string>
        {
            ["Dockerfile"] = $"FROM {fixture.Registry}/base/busybox:latest\nCOPY hello.txt /hello.txt\n",
            ["hello.txt"] = "auto " + Guid.NewGuid() + "\n",
        });

        var (outcome, image, job) = await RunAsync(url, null);

        Assert.Contains(job.Spec.Template.Spec.InitContainers, c => c.Name == BuildJobTemplate.PlanContainer);
        await AssertPushedAsync(outcome, image);
    }

    [Fact]
    public async Task BuildKitJob_TwoBuildsAtOnce_EachPushesItsOwnImage()
    {
        // Each pod has its own XDG_RUNTIME_DIR and --root: two daemonless builds sharing one would collide.
        await using var server = await ArchiveServer.StartAsync(Token);
        var urls = Enumerable.Range(1, 2).Select(i => server.Add($"twin{i}", new Dictionary<string, string>
        {
            ["Dockerfile"] = $"FROM {fixture.Registry}/base/busybox:latest\nCOPY id.txt /id.txt\nRUN sleep 2\n",
            ["id.txt"] = $"twin {i} {Guid.NewGuid()}\n",
        })).ToList();

        var results = await Task.WhenAll(urls.Select(u => RunAsync(u, new BuildPlanSpec { Builder = "docker" })));

        var digests = new List<string>();
        foreach (var (outcome, image, _) in results)
        {
            digests.Add((await AssertPushedAsync(outcome, image)).Digest);
        }
        Assert.NotEqual(digests[0], digests[1]);
    }

    [Fact]
    public async Task BuildKitJob_CloneUrl_BuildsTheCommitFromGit()
    {
        var (daemon, commit) = await GitDaemon.ServeAsync(new Dictionary<string, string>
        {
            ["Dockerfile"] = $"FROM {fixture.Registry}/base/busybox:latest\nCOPY version.txt /version.txt\n",
            ["version.txt"] = Guid.NewGuid().ToString(),
        });
        await using var _ = daemon;

        var (outcome, image, _) = await RunAsync(null, null, daemon.UrlOf("repo").AbsoluteUri, commit);

        Assert.Equal(commit, image.Tag);
        await AssertPushedAsync(outcome, image);
    }

    [Fact]
    public async Task BuildKitJob_FailingRunStepThatPrintsPushAndExport_IsAUserFaultWithTheLogTail()
    {
        await using var server = await ArchiveServer.StartAsync(Token);
        var url = server.Add("broken", new Dictionary<string, string>
        {
            // Words that once made a compile error look like a push failure (a service fault, retried).
            ["Dockerfile"] = $"FROM {fixture.Registry}/base/busybox:latest\nRUN echo 'failed to push: export' && echo 'main.c:3: error: expected semicolon' && exit 2\n",
        });

        var failure = await RunExpectingFailureAsync(url, Faults.User, BuildReasons.BuildFailed);

        Assert.Contains("main.c:3: error: expected semicolon", failure.LogTail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BuildKitJob_ArchiveNotFound_IsAUserFault()
    {
        await using var server = await ArchiveServer.StartAsync(Token);

        await RunExpectingFailureAsync(server.Url("missing"), Faults.User, BuildReasons.SourceNotFound);
    }

    [Fact]
    public async Task BuildKitJob_NoDockerfileAndAPlanImageWithoutNixpacks_IsAServiceFaultSayingWhatToInstall()
    {
        await using var server = await ArchiveServer.StartAsync(Token);
        var url = server.Add("nodockerfile", new Dictionary<string, string> { ["package.json"] = "{}" });

        var failure = await RunExpectingFailureAsync(url, Faults.Service, BuildReasons.NixpacksUnavailable);

        Assert.Contains("nixpacks 1.39.0 and jq", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BuildKitJob_RegistryNotReachable_IsAPushFailure()
    {
        await using var server = await ArchiveServer.StartAsync(Token);
        var url = server.Add("unpushable", new Dictionary<string, string>
        {
            ["Dockerfile"] = $"FROM {fixture.Registry}/base/busybox:latest\nCOPY a.txt /a.txt\n",
            ["a.txt"] = Guid.NewGuid().ToString(),
        });
        var options = Options();
        // Port 9 on loopback: nothing listens there (the discard port), so the push is refused.
        options.ImageNameTemplate = "127.0.0.1:9/{userID}/{applicationID}";

        var (ns, job) = await StartAsync(url, new BuildPlanSpec { Builder = "docker" }, options);
        var outcome = await WaitAsync(ns, job.Metadata.Name);

        AssertFailed(outcome, Faults.Service, BuildReasons.PushFailed);
    }

    [Fact]
    public async Task BuildKitJob_TokenRefused_IsAUserFault()
    {
        await using var server = await ArchiveServer.StartAsync("another-token");
        var url = server.Add("private", new Dictionary<string, string> { ["Dockerfile"] = "FROM scratch\n" });

        var failure = await RunExpectingFailureAsync(url, Faults.User, BuildReasons.SourceAccessDenied);

        Assert.Contains("HTTP 401", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BuildKitJob_ImageCannotBePulled_PendingTooLongOncePastTheWatchdog()
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

    /// <summary>The build succeeded and pushed the digest the registry reports for the image's tag; the success.</summary>
    private async Task<JobOutcome.Succeeded> AssertPushedAsync(JobOutcome outcome, ImageName image)
    {
        var succeeded = Assert.IsType<JobOutcome.Succeeded>(outcome);
        Assert.Equal((await Registry().GetDigestAsync(image.Repository, image.Tag, CancellationToken.None)).Digest, succeeded.Digest);
        return succeeded;
    }

    /// <summary>Runs the archive at <paramref name="archiveUrl"/> with no plan; the build must end failed with this fault and reason.</summary>
    private async Task<BuildFailure> RunExpectingFailureAsync(string archiveUrl, string fault, string reason)
    {
        var (outcome, _, _) = await RunAsync(archiveUrl, null);
        return AssertFailed(outcome, fault, reason);
    }

    /// <summary>The build ended failed with this fault and reason; the failure, for what a test checks of its text.</summary>
    private static BuildFailure AssertFailed(JobOutcome outcome, string fault, string reason)
    {
        var failure = Assert.IsType<JobOutcome.Failed>(outcome).Failure;
        Assert.Equal((fault, reason), (failure.Fault, failure.Reason));
        return failure;
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
        var job = await fixture.Kubernetes.BatchV1.CreateNamespacedJobAsync(new BuildKitStrategy(Microsoft.Extensions.Options.Options.Create(options)).CreateJob(request), ns);
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
            Registry = fixture.Registry,
            RegistryUsername = fixture.RegistryUser,
            RegistryPassword = fixture.RegistryPassword,
            RegistrySecretName = "registry",
            // The development cluster has no pod network; its registry speaks plain http.
            HostNetwork = true,
            InsecureRegistries = [fixture.Registry],
        };
        options.Images.Fetch = "imagebuilder/fetch:dev";
        // No nixpacks on this machine: the fetch image stands in as plan image.
        options.Images.Nixpacks = "imagebuilder/fetch:dev";
        options.Images.BuildKit = ImageBuilder.Testing.Operators.OperatorConfiguration.DevBuildKitImage;
        options.Resources.Limits.Clear();
        options.Resources.Requests.Clear();
        Assert.True(new BuildOptionsValidator().Validate(null, options).Succeeded);
        return options;
    }

    /// <summary>Pulls <paramref name="reference"/> from the registry and runs <paramref name="command"/> in it; its output, trimmed.</summary>
    private async Task<string> RunImageAsync(string reference, params string[] command)
    {
        await DockerCli.LoginAsync(fixture);
        await DockerCli.RunAsync("pull", "-q", reference);
        return (await DockerCli.RunAsync(["run", "--rm", "--network", "none", reference, .. command])).Trim();
    }

    private RegistryClient Registry() =>
        new(new HttpClient(), Microsoft.Extensions.Options.Options.Create(Options()), NullLogger<RegistryClient>.Instance);
}
