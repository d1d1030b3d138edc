using ImageBuilder.Operator.Api;
using ImageBuilder.Operator.Builds;
using ImageBuilder.Operator.Options;
using k8s;
using k8s.Models;

namespace ImageBuilder.Operator.Tests.Builds;

/// <summary>Rules every strategy's Job keeps, whatever the golden files say.</summary>
public sealed class BuildJobShapeTests
{
    public static TheoryData<string> Strategies() => new(BuildOptions.StrategyNames.BuildKit, BuildOptions.StrategyNames.Docker);

    [Theory]
    [MemberData(nameof(Strategies))]
    public void CreateJob_AnyStrategy_HasNoRetriesDeadlineLabelsAndController(string strategy)
    {
        var job = Create(strategy, BuildSamples.Request() with { Attempt = 2, Timeout = TimeSpan.FromSeconds(90.5) });

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
    public void CreateJob_AnyStrategy_EveryContainerFallsBackToLogsAndSharesTheWorkspace(string strategy)
    {
        var job = Create(strategy, BuildSamples.Request());
        var containers = job.Spec.Template.Spec.InitContainers.Concat(job.Spec.Template.Spec.Containers).ToList();

        Assert.All(containers, c => Assert.Equal("FallbackToLogsOnError", c.TerminationMessagePolicy));
        Assert.All(containers, c => Assert.Contains(c.VolumeMounts, m => m.Name == BuildJobTemplate.WorkspaceVolume && m.MountPath == "/workspace"));
        Assert.NotNull(job.Spec.Template.Spec.Volumes.Single(v => v.Name == BuildJobTemplate.WorkspaceVolume).EmptyDir);
        Assert.Equal(BuildJobTemplate.FetchContainer, job.Spec.Template.Spec.InitContainers[0].Name);
    }

    [Theory]
    [MemberData(nameof(Strategies))]
    public void CreateJob_AnyStrategy_TokenOnlyThroughSecretVolume(string strategy)
    {
        var request = BuildSamples.Request();
        var job = Create(strategy, request);
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
    public void CreateJob_NoTokenSecret_MountsNoTokenVolume(string strategy)
    {
        var job = Create(strategy, BuildSamples.Request(token: false));

        Assert.DoesNotContain(job.Spec.Template.Spec.Volumes, v => v.Name == BuildJobTemplate.TokenVolume);
        Assert.DoesNotContain(job.Spec.Template.Spec.InitContainers[0].Env, e => e.Name == "IB_TOKEN_FILE");
    }

    [Theory]
    [MemberData(nameof(Strategies))]
    public void CreateJob_AnyStrategy_RegistryCredentialsAreDockerConfigJson(string strategy)
    {
        var job = Create(strategy, BuildSamples.Request());
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

        Assert.Throws<ArgumentException>(() => Create(BuildOptions.StrategyNames.Docker, request));
    }

    [Fact]
    public void CreateJob_BuildKitDefaultPlan_RunsNixpacksBeforeBuildKit()
    {
        var job = Create(BuildOptions.StrategyNames.BuildKit, BuildSamples.Request(BuildSamples.FullNixpacksPlan()));
        var spec = job.Spec.Template.Spec;

        Assert.Equal([BuildJobTemplate.FetchContainer, BuildJobTemplate.PlanContainer], spec.InitContainers.Select(c => c.Name));
        var plan = spec.InitContainers[1];
        Assert.Contains("--start-cmd=node server.js", plan.Command);
        Assert.Contains("--pkgs=nodejs_20", plan.Command);
        Assert.Contains("--env=API_URL=https://example.test/a b", plan.Command);
        var build = spec.Containers.Single();
        Assert.Equal("/workspace/src/services/api/.nixpacks/Dockerfile", build.Env.Single(e => e.Name == "IB_DOCKERFILE").Value);
        Assert.Contains("build-arg:NODE_ENV=production", build.Command);
        Assert.Equal("127.0.0.1:5000/18008/65a1c0ffee:buildcache", build.Env.Single(e => e.Name == "IB_CACHE_REF").Value);
    }

    [Fact]
    public void CreateJob_BuildKit_RootlessSecurityForOldAndNewClusters()
    {
        var job = Create(BuildOptions.StrategyNames.BuildKit, BuildSamples.Request());
        var build = job.Spec.Template.Spec.Containers.Single();

        Assert.Equal(1000, build.SecurityContext.RunAsUser);
        Assert.Equal("Unconfined", build.SecurityContext.SeccompProfile.Type);
        Assert.Null(build.SecurityContext.Privileged);
        Assert.Equal("unconfined", job.Spec.Template.Metadata.Annotations["container.apparmor.security.beta.kubernetes.io/build"]);
        Assert.Equal("--oci-worker-no-process-sandbox", build.Env.Single(e => e.Name == "BUILDKITD_FLAGS").Value);
    }

    [Fact]
    public void CreateJob_BuildKitDockerPlan_SkipsNixpacksAndUsesTheNamedDockerfile()
    {
        var job = Create(BuildOptions.StrategyNames.BuildKit, BuildSamples.Request(BuildSamples.DockerfilePlan()));

        Assert.DoesNotContain(job.Spec.Template.Spec.InitContainers, c => c.Name == BuildJobTemplate.PlanContainer);
        var build = job.Spec.Template.Spec.Containers.Single();
        Assert.Equal("/workspace/src/services/api/deploy/Dockerfile.prod", build.Env.Single(e => e.Name == "IB_DOCKERFILE").Value);
        Assert.Equal("/workspace/src/services/api", build.Env.Single(e => e.Name == "IB_CONTEXT").Value);
    }

    [Fact]
    public void CreateJob_Docker_UsesNodeSocketHostNetworkAndBuildArgs()
    {
        var job = Create(BuildOptions.StrategyNames.Docker, BuildSamples.Request(BuildSamples.FullNixpacksPlan()));
        var spec = job.Spec.Template.Spec;

        Assert.True(spec.HostNetwork);
        Assert.Equal("/var/run/docker.sock", spec.Volumes.Single(v => v.HostPath is not null).HostPath.Path);
        var build = spec.Containers.Single();
        Assert.Equal("imagebuilder/docker-builder:dev", build.Image);
        Assert.Equal(["--build-arg", "NODE_ENV=production"], build.Command.SkipWhile(a => a != "--build-arg").Take(2));
        // No nixpacks here: the default plan falls back to the repository's Dockerfile.
        Assert.Equal("/workspace/src/services/api/Dockerfile", build.Env.Single(e => e.Name == "IB_DOCKERFILE").Value);
        Assert.Single(spec.InitContainers);
    }

    private static V1Job Create(string strategy, BuildJobRequest request) => BuildJobGoldenTests.Strategy(strategy).CreateJob(request);

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
