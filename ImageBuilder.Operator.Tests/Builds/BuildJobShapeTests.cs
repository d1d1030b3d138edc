using ImageBuilder.Operator.Api;
using ImageBuilder.Operator.Builds;
using k8s;
using k8s.Models;

namespace ImageBuilder.Operator.Tests.Builds;

/// <summary>Rules every build Job keeps, whatever the golden files say.</summary>
public sealed class BuildJobShapeTests
{
    /// <summary>Both option sets: production's and the development cluster's.</summary>
    public static TheoryData<string> Strategies() => new("production", "dev");

    [Theory]
    [MemberData(nameof(Strategies))]
    public void CreateJob_AnyOptions_HasNoRetriesDeadlineLabelsAndController(string options)
    {
        var job = Create(options, BuildSamples.Request() with { Attempt = 2, Timeout = TimeSpan.FromSeconds(90.5) });

        Assert.Equal(0, job.Spec.BackoffLimit);
        Assert.Equal(91, job.Spec.ActiveDeadlineSeconds);
        Assert.Null(job.Spec.TtlSecondsAfterFinished);
        Assert.Equal("Never", job.Spec.Template.Spec.RestartPolicy);
        foreach (var labels in new[] { job.Metadata.Labels, job.Spec.Template.Metadata.Labels })
        {
            Assert.Equal("image-builder", labels[Annotations.ManagedByLabel]);
            Assert.Equal("ib-65a1c0ffee-3f2c9ab", labels[Annotations.BuildLabel]);
            Assert.Equal("2", labels[Annotations.AttemptLabel]);
        }
        var owner = Assert.Single(job.Metadata.OwnerReferences);
        Assert.Equal(("imagebuilder.ipaas.dev/v1alpha1", "ImageBuild", "0d4c2f8e-7d7b-4b7e-9a53-1c0ffee00001"), (owner.ApiVersion, owner.Kind, owner.Uid));
        Assert.True(owner.Controller);
        Assert.True(owner.BlockOwnerDeletion);
        Assert.Equal("builds", job.Metadata.NamespaceProperty);
    }

    [Theory]
    [MemberData(nameof(Strategies))]
    public void CreateJob_AnyOptions_EveryContainerFallsBackToLogsAndSharesTheWorkspace(string options)
    {
        var job = Create(options, BuildSamples.Request());
        var containers = job.Spec.Template.Spec.InitContainers.Concat(job.Spec.Template.Spec.Containers).ToList();

        Assert.All(containers, c => Assert.Equal("FallbackToLogsOnError", c.TerminationMessagePolicy));
        Assert.All(containers, c => Assert.Contains(c.VolumeMounts, m => m.Name == BuildJobTemplate.WorkspaceVolume && m.MountPath == "/workspace"));
        Assert.NotNull(job.Spec.Template.Spec.Volumes.Single(v => v.Name == BuildJobTemplate.WorkspaceVolume).EmptyDir);
        Assert.Equal(BuildJobTemplate.FetchContainer, job.Spec.Template.Spec.InitContainers[0].Name);
    }

    [Theory]
    [MemberData(nameof(Strategies))]
    public void CreateJob_AnyOptions_TokenOnlyThroughSecretVolume(string options)
    {
        var request = BuildSamples.Request();
        var job = Create(options, request);
        var spec = job.Spec.Template.Spec;
        var containers = spec.InitContainers.Concat(spec.Containers).ToList();

        var tokenVolume = spec.Volumes.Single(v => v.Secret?.SecretName == request.TokenSecretName);
        Assert.Equal(request.TokenSecretKey, Assert.Single(tokenVolume.Secret.Items).Key);
        // The Secret's name appears nowhere but in that volume: no env value or valueFrom copies the token.
        var serialized = KubernetesJson.Serialize(job);
        Assert.Equal(1, Count(serialized, request.TokenSecretName));
        Assert.DoesNotContain(containers.SelectMany(c => c.Env ?? []), e => e.ValueFrom?.SecretKeyRef is not null);
        var fetch = spec.InitContainers.Single(c => c.Name == BuildJobTemplate.FetchContainer);
        Assert.Equal(BuildLayout.TokenFile, fetch.Env.Single(e => e.Name == "IB_TOKEN_FILE").Value);
        Assert.All(containers.Where(c => c.Name != BuildJobTemplate.FetchContainer), c => Assert.DoesNotContain(c.VolumeMounts, m => m.Name == tokenVolume.Name));
    }

    [Theory]
    [MemberData(nameof(Strategies))]
    public void CreateJob_NoTokenSecret_MountsNoTokenVolume(string options)
    {
        var job = Create(options, BuildSamples.Request(token: false));

        Assert.DoesNotContain(job.Spec.Template.Spec.Volumes, v => v.Name == BuildJobTemplate.TokenVolume);
        Assert.DoesNotContain(job.Spec.Template.Spec.InitContainers[0].Env, e => e.Name == "IB_TOKEN_FILE");
    }

    [Theory]
    [MemberData(nameof(Strategies))]
    public void CreateJob_AnyOptions_RegistryCredentialsAreDockerConfigJson(string options)
    {
        var job = Create(options, BuildSamples.Request());
        var build = job.Spec.Template.Spec.Containers.Single(c => c.Name == BuildJobTemplate.BuildContainer);
        var volume = job.Spec.Template.Spec.Volumes.Single(v => v.Name == BuildJobTemplate.RegistryVolume);

        Assert.Equal("image-builder-registry", volume.Secret.SecretName);
        var item = Assert.Single(volume.Secret.Items);
        Assert.Equal((".dockerconfigjson", "config.json"), (item.Key, item.Path));
        var dockerConfig = build.Env.Single(e => e.Name == "DOCKER_CONFIG").Value;
        Assert.Contains(build.VolumeMounts, m => m.Name == BuildJobTemplate.RegistryVolume && m.MountPath == dockerConfig);
    }

    [Fact]
    public void CreateJob_ImageBuildWithoutUid_Throws()
    {
        var request = BuildSamples.Request();
        request.Build.Metadata.Uid = null;

        Assert.Throws<ArgumentException>(() => Create("production", request));
    }

    [Fact]
    public void CreateJob_NixpacksPlan_RunsThePlanContainerBeforeBuildKit()
    {
        var job = Create("production", BuildSamples.Request(BuildSamples.FullNixpacksPlan()));
        var spec = job.Spec.Template.Spec;

        Assert.Equal([BuildJobTemplate.FetchContainer, BuildJobTemplate.PlanContainer], spec.InitContainers.Select(c => c.Name));
        var plan = spec.InitContainers[1];
        Assert.Equal("registry.example.test/image-builder/nixpacks:1.39.0", plan.Image);
        Assert.Contains("--start-cmd=node server.js", plan.Command);
        Assert.Contains("--pkgs=nodejs_20", plan.Command);
        Assert.Contains("--env=API_URL=https://example.test/a b", plan.Command);
        // Relative to the root directory, where nixpacks runs.
        Assert.Contains("--config=nixpacks.toml", plan.Command);
        Assert.Equal("nixpacks", Env(plan, "IB_BUILDER"));
        var build = spec.Containers.Single();
        // The plan container chooses the Dockerfile: the build container reads it from the plan folder.
        Assert.DoesNotContain(build.Env, e => e.Name == "IB_DOCKERFILE");
        Assert.Equal(BuildLayout.Plan, Env(build, "IB_PLAN"));
        Assert.Equal(BuildLayout.Plan, Env(plan, "IB_PLAN"));
        Assert.Contains("build-arg:NODE_ENV=production", build.Command);
        Assert.Equal("127.0.0.1:5000/18008/65a1c0ffee:buildcache", Env(build, "IB_CACHE_REF"));
    }

    [Fact]
    public void CreateJob_NoBuilder_PlanContainerMayUseTheRepositoryDockerfile()
    {
        var job = Create("production", BuildSamples.Request());

        var plan = job.Spec.Template.Spec.InitContainers.Single(c => c.Name == BuildJobTemplate.PlanContainer);
        Assert.Equal("", Env(plan, "IB_BUILDER"));
    }

    [Fact]
    public void CreateJob_TwoApplications_HaveTheirOwnNixpacksCacheKey()
    {
        var first = BuildSamples.Request(BuildSamples.FullNixpacksPlan());
        var second = first with { ImageRef = "127.0.0.1:5000/18008/other-app:" + BuildSamples.Commit };

        var keys = new[] { first, second }.Select(r => Env(Create("production", r).Spec.Template.Spec.InitContainers[1], "IB_NIXPACKS_CACHE_KEY")).ToList();

        Assert.Equal(["18008/65a1c0ffee", "18008/other-app"], keys);
    }

    [Fact]
    public void CreateJob_EnvWithEmptyValue_IsNamedForThePlanScriptToEmpty()
    {
        var plan = new BuildPlanSpec { Envs = [new BuildEnv { Key = "HOME", Value = "" }, new BuildEnv { Key = "A", Value = "1" }, new BuildEnv { Key = "B", Value = "" }] };

        var container = Create("production", BuildSamples.Request(plan)).Spec.Template.Spec.InitContainers[1];

        // "--env=HOME=" would make nixpacks read HOME from the plan container (src/nixpacks/environment.rs).
        Assert.Contains("--env=HOME", container.Command);
        Assert.DoesNotContain(container.Command, a => a.StartsWith("--env=HOME=", StringComparison.Ordinal));
        Assert.Equal("HOME B", Env(container, "IB_EMPTY_ENVS"));
    }

    [Theory]
    [MemberData(nameof(Strategies))]
    public void CreateJob_AnyOptions_RootlessSecurityForOldAndNewClusters(string options)
    {
        var job = Create(options, BuildSamples.Request());
        var build = job.Spec.Template.Spec.Containers.Single();

        Assert.Equal(1000, build.SecurityContext.RunAsUser);
        Assert.Equal("Unconfined", build.SecurityContext.SeccompProfile.Type);
        Assert.Null(build.SecurityContext.Privileged);
        // newuidmap/newgidmap need their file capabilities: no_new_privs would drop them.
        Assert.True(build.SecurityContext.AllowPrivilegeEscalation);
        Assert.Equal("unconfined", job.Spec.Template.Metadata.Annotations["container.apparmor.security.beta.kubernetes.io/build"]);
        Assert.StartsWith("--oci-worker-no-process-sandbox ", Env(build, "BUILDKITD_FLAGS"), StringComparison.Ordinal);
        Assert.Equal("50", Env(build, "BUILDCTL_CONNECT_RETRIES_MAX"));
        Assert.All(job.Spec.Template.Spec.Volumes, v => Assert.Null(v.HostPath));
        Assert.DoesNotContain("docker.sock", KubernetesJson.Serialize(job), StringComparison.Ordinal);
    }

    [Fact]
    public void CreateJob_AnyOptions_BuildKitStateAndRuntimeAreThisPodsOwnEmptyDirs()
    {
        // Two daemonless builds that share XDG_RUNTIME_DIR collide silently (the second one talks to the first
        // one's daemon, which then exits); sharing --root corrupts state. Both must live in this pod's emptyDirs.
        var job = Create("production", BuildSamples.Request());
        var spec = job.Spec.Template.Spec;
        var build = spec.Containers.Single();

        var runtime = Env(build, "IB_BUILDKIT_RUNTIME");
        var root = Env(build, "BUILDKITD_FLAGS").Split(' ').Single(f => f.StartsWith("--root=", StringComparison.Ordinal))["--root=".Length..];
        var runtimeVolume = VolumeHolding(spec, build, runtime);
        var rootVolume = VolumeHolding(spec, build, root);
        Assert.NotEqual(runtimeVolume.Name, rootVolume.Name);
        Assert.NotNull(runtimeVolume.EmptyDir);
        Assert.NotNull(rootVolume.EmptyDir);
        Assert.Equal(BuildLayout.BuildKitRoot, root);
        Assert.StartsWith(BuildLayout.BuildKitRuntimeVolume + "/", runtime, StringComparison.Ordinal);
        // The script exports it (BuildScriptsTests runs that).
        Assert.Contains("export XDG_RUNTIME_DIR=\"$IB_BUILDKIT_RUNTIME\"", BuildScripts.BuildKit, StringComparison.Ordinal);
    }

    [Fact]
    public void CreateJob_StorageOptions_LimitEveryEmptyDirAndRequestEphemeralStorage()
    {
        var options = BuildSamples.Options();
        options.Storage.WorkspaceSizeLimit = "3Gi";
        options.Storage.BuildKitSizeLimit = "30Gi";
        options.Storage.RuntimeSizeLimit = "16Mi";

        var job = BuildJobGoldenTests.Strategy(options).CreateJob(BuildSamples.Request());

        var limits = job.Spec.Template.Spec.Volumes.Where(v => v.EmptyDir is not null).ToDictionary(v => v.Name, v => v.EmptyDir.SizeLimit?.ToString());
        Assert.Equal(new Dictionary<string, string?> { ["workspace"] = "3Gi", ["buildkit-state"] = "30Gi", ["buildkit-run"] = "16Mi" }, limits);
        Assert.Equal("4Gi", job.Spec.Template.Spec.Containers.Single().Resources.Requests["ephemeral-storage"].ToString());
    }

    [Fact]
    public void CreateJob_HostNetworkOption_SetsItOnlyWhenAsked()
    {
        Assert.Null(Create("production", BuildSamples.Request()).Spec.Template.Spec.HostNetwork);
        Assert.True(Create("dev", BuildSamples.Request()).Spec.Template.Spec.HostNetwork);
    }

    [Fact]
    public void CreateJob_InsecureRegistries_ReachTheBuildScript()
    {
        var build = Create("dev", BuildSamples.Request()).Spec.Template.Spec.Containers.Single();

        Assert.Equal("127.0.0.1:5000", Env(build, "IB_INSECURE_REGISTRIES"));
        Assert.Equal("", Env(Create("production", BuildSamples.Request()).Spec.Template.Spec.Containers.Single(), "IB_INSECURE_REGISTRIES"));
    }

    [Fact]
    public void CreateJob_DockerPlan_SkipsThePlanContainerAndUsesTheNamedDockerfile()
    {
        var job = Create("production", BuildSamples.Request(BuildSamples.DockerfilePlan()));

        Assert.DoesNotContain(job.Spec.Template.Spec.InitContainers, c => c.Name == BuildJobTemplate.PlanContainer);
        var build = job.Spec.Template.Spec.Containers.Single();
        Assert.Equal("/workspace/src/services/api/deploy/Dockerfile.prod", Env(build, "IB_DOCKERFILE"));
        Assert.Equal("/workspace/src/services/api", Env(build, "IB_CONTEXT"));
        Assert.Equal(["--opt", "build-arg:VERSION=1.2.3"], build.Command.SkipWhile(a => a != "--opt").Take(2));
    }

    private static string Env(V1Container container, string name) => container.Env.Single(e => e.Name == name).Value;

    private static V1Volume VolumeHolding(V1PodSpec spec, V1Container container, string path)
    {
        var mount = container.VolumeMounts.Single(m => path == m.MountPath || path.StartsWith(m.MountPath + "/", StringComparison.Ordinal));
        return spec.Volumes.Single(v => v.Name == mount.Name);
    }

    private static V1Job Create(string options, BuildJobRequest request) =>
        BuildJobGoldenTests.Strategy(options == "dev" ? BuildSamples.DevOptions() : BuildSamples.Options()).CreateJob(request);

    private static int Count(string text, string value)
    {
        var count = 0;
        for (var i = text.IndexOf(value, StringComparison.Ordinal); i >= 0; i = text.IndexOf(value, i + value.Length, StringComparison.Ordinal))
        {
            count++;
        }
        return count;
    }
}
