using ImageBuilder.Operator.Options;
using ImageBuilder.Operator.Requests;
using k8s.Models;
using Microsoft.Extensions.Options;

namespace ImageBuilder.Operator.Builds;

/// <summary>
/// Production: fetch, nixpacks plan (unless the plan names a Dockerfile), rootless BuildKit build
/// and push with a registry cache. Security settings follow moby/buildkit's
/// examples/kubernetes/job.rootless.yaml: UID 1000, seccomp and AppArmor unconfined, no process sandbox.
/// </summary>
public sealed class BuildKitStrategy(IOptions<BuildOptions> options) : IBuildStrategy
{
    private const long BuildUser = 1000;
    private const string DockerConfig = "/home/user/.docker";
    private const string StateVolume = "buildkitd";
    private readonly BuildJobTemplate _template = new(options.Value);

    public string Name => BuildOptions.StrategyNames.BuildKit;

    public V1Job CreateJob(BuildJobRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var plan = request.Build.Spec.BuildPlan;
        var nixpacks = BuildLayout.UsesNixpacks(plan);
        var initContainers = new List<V1Container> { _template.Fetch(request, User()) };
        if (nixpacks)
        {
            initContainers.Add(Plan(request));
        }
        var volumes = _template.Volumes(request);
        // buildkitd's state must not be the image's VOLUME: some nodes mount those nosuid,nodev, which rootless BuildKit cannot use.
        volumes.Add(new V1Volume { Name = StateVolume, EmptyDir = new V1EmptyDirVolumeSource() });
        var spec = new V1PodSpec
        {
            InitContainers = initContainers,
            Containers = [Build(request, nixpacks ? BuildLayout.NixpacksDockerfile(plan) : BuildLayout.RepositoryDockerfile(plan))],
            Volumes = volumes,
        };
        // The annotation, not the 1.30 appArmorProfile field, so clusters older than 1.30 honour it too.
        var annotations = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["container.apparmor.security.beta.kubernetes.io/" + BuildJobTemplate.BuildContainer] = "unconfined",
        };
        return _template.Job(request, spec, annotations);
    }

    private V1Container Plan(BuildJobRequest request)
    {
        var plan = request.Build.Spec.BuildPlan;
        var env = new List<V1EnvVar>
        {
            BuildJobTemplate.Env("IB_CONTEXT", BuildLayout.Context(plan)),
            BuildJobTemplate.Env("IB_ROOT_DIRECTORY", BuildPlanRules.NormalizePath(plan?.RootDirectory)),
            BuildJobTemplate.Env("HOME", "/tmp"),
        };
        return _template.Container(BuildJobTemplate.PlanContainer, _template.Options.Images.Nixpacks, BuildScripts.Plan,
            NixpacksArgs(request), env, [BuildJobTemplate.WorkspaceMount()], User());
    }

    /// <summary>nixpacks flags from the plan, as <c>--flag=value</c> so a value starting with '-' stays a value.</summary>
    public static IEnumerable<string> NixpacksArgs(BuildJobRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var plan = request.Build.Spec.BuildPlan;
        if (plan is null)
        {
            yield break;
        }
        foreach (var (flag, value) in new[] { ("--install-cmd", plan.InstallCommand), ("--build-cmd", plan.BuildCommand), ("--start-cmd", plan.StartCommand) })
        {
            if (!string.IsNullOrWhiteSpace(value))
            {
                yield return $"{flag}={value}";
            }
        }
        if (!string.IsNullOrWhiteSpace(plan.NixpacksPath))
        {
            yield return $"--config={BuildLayout.NixpacksConfig(plan)}";
        }
        foreach (var (flag, values) in new[] { ("--pkgs", plan.NixPkgs), ("--libs", plan.NixLibs), ("--apt", plan.AptPkgs) })
        {
            foreach (var value in values ?? [])
            {
                yield return $"{flag}={value}";
            }
        }
        foreach (var env in plan.Envs ?? [])
        {
            yield return $"--env={env.Key}={env.Value}";
        }
    }

    private V1Container Build(BuildJobRequest request, string dockerfile)
    {
        var env = BuildJobTemplate.BuildEnv(request, dockerfile);
        env.Add(BuildJobTemplate.Env("IB_CACHE_REF", ImageName.Parse(request.ImageRef).Repository + ":buildcache"));
        env.Add(BuildJobTemplate.Env("BUILDKITD_FLAGS", "--oci-worker-no-process-sandbox"));
        env.Add(BuildJobTemplate.Env("DOCKER_CONFIG", DockerConfig));
        var mounts = new List<V1VolumeMount>
        {
            BuildJobTemplate.WorkspaceMount(),
            BuildJobTemplate.RegistryMount(DockerConfig),
            new() { Name = StateVolume, MountPath = "/home/user/.local/share/buildkit" },
        };
        var args = BuildJobTemplate.BuildArgs(request, "--opt", (k, v) => $"build-arg:{k}={v}");
        var container = _template.Container(BuildJobTemplate.BuildContainer, _template.Options.Images.BuildKit, BuildScripts.BuildKit, args, env, mounts, User());
        container.SecurityContext.SeccompProfile = new V1SeccompProfile { Type = "Unconfined" };
        container.Resources = _template.Resources();
        return container;
    }

    private static V1SecurityContext User() => new() { RunAsUser = BuildUser, RunAsGroup = BuildUser };
}
