using ImageBuilder.Operator.Options;
using ImageBuilder.Operator.Requests;
using k8s.Models;
using Microsoft.Extensions.Options;

namespace ImageBuilder.Operator.Builds;

/// <summary>
/// The build Job: fetch the source; plan (the repository's own Dockerfile, or nixpacks) unless the plan names
/// a Dockerfile; rootless BuildKit build and push with a registry cache. Security settings follow moby/buildkit's
/// examples/kubernetes/job.rootless.yaml: UID 1000, seccomp and AppArmor unconfined, no process sandbox.
/// The same Job runs on the development cluster, with a rootless BuildKit image made from Debian's sources.
/// </summary>
public sealed class BuildKitStrategy(IOptions<BuildOptions> options) : IBuildStrategy
{
    /// <summary>How often buildctl-daemonless.sh polls buildkitd before giving up.</summary>
    /// <remarks>
    /// Its default of 10 (examples/buildctl-daemonless/buildctl-daemonless.sh, BUILDCTL_CONNECT_RETRIES_MAX,
    /// sleeping 0.1 s + 0.02 s per try) gives the daemon about 2 s, which a busy node exceeds; 50 gives it about 30 s.
    /// </remarks>
    public const int ConnectRetries = 50;

    private const long BuildUser = 1000;
    private const string DockerConfig = "/home/user/.docker";
    private const string StateVolume = "buildkit-state";
    private const string RuntimeVolume = "buildkit-run";
    private readonly BuildJobTemplate _template = new(options.Value);

    public string Name => BuildOptions.StrategyNames.BuildKit;

    public V1Job CreateJob(BuildJobRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var plan = request.Build.Spec.BuildPlan;
        var planned = BuildLayout.NeedsPlan(plan);
        var initContainers = new List<V1Container> { _template.Fetch(request, User()) };
        if (planned)
        {
            initContainers.Add(Plan(request));
        }
        var volumes = _template.Volumes(request);
        // One state and one runtime folder per pod, both emptyDirs of this pod: never shared with another build.
        volumes.Add(BuildJobTemplate.EmptyDir(StateVolume, _template.Options.Storage.BuildKitSizeLimit));
        volumes.Add(BuildJobTemplate.EmptyDir(RuntimeVolume, _template.Options.Storage.RuntimeSizeLimit));
        var spec = new V1PodSpec
        {
            InitContainers = initContainers,
            Containers = [Build(request, planned ? null : BuildLayout.RepositoryDockerfile(plan))],
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
            BuildJobTemplate.Env("IB_PLAN", BuildLayout.Plan),
            BuildJobTemplate.Env("IB_BUILDER", BuildLayout.ForcesNixpacks(plan) ? BuildPlanRules.BuilderNixpacks : ""),
            BuildJobTemplate.Env("IB_NIXPACKS_CACHE_KEY", NixpacksCacheKey(request)),
            BuildJobTemplate.Env("IB_EMPTY_ENVS", string.Join(' ', (plan?.Envs ?? []).Where(e => string.IsNullOrEmpty(e.Value)).Select(e => e.Key))),
            BuildJobTemplate.Env("HOME", "/tmp"),
        };
        return _template.Container(BuildJobTemplate.PlanContainer, _template.Options.Images.Nixpacks, BuildScripts.Plan,
            NixpacksArgs(request), env, [BuildJobTemplate.WorkspaceMount()], User());
    }

    /// <summary>
    /// nixpacks' cache mounts are keyed by <c>--cache-key</c>, by default a hash of the source's absolute path
    /// (src/main.rs, get_default_cache_key), which is /workspace/src for every build here: one application
    /// would read another's caches. The image repository is per application.
    /// </summary>
    public static string NixpacksCacheKey(BuildJobRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return ImageName.Parse(request.ImageRef).Path;
    }

    /// <summary>
    /// Flags for both <c>nixpacks plan</c> and <c>nixpacks build</c>, all global in nixpacks 1.39.0's CLI (src/main.rs),
    /// as <c>--flag=value</c> so a value starting with '-' stays a value. An env with an empty value is passed
    /// as <c>--env=NAME</c>, which nixpacks fills from its own environment (src/nixpacks/environment.rs,
    /// from_envs); the plan script sets NAME to empty there (<c>IB_EMPTY_ENVS</c>), so the plan container's
    /// own variable of that name (HOME, PATH, …) never leaks into the image.
    /// </summary>
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
            yield return string.IsNullOrEmpty(env.Value) ? $"--env={env.Key}" : $"--env={env.Key}={env.Value}";
        }
    }

    private V1Container Build(BuildJobRequest request, string? dockerfile)
    {
        var options = _template.Options;
        var env = BuildJobTemplate.BuildEnv(request, dockerfile);
        env.Add(BuildJobTemplate.Env("IB_CACHE_REF", ImageName.Parse(request.ImageRef).Repository + ":buildcache"));
        env.Add(BuildJobTemplate.Env("IB_INSECURE_REGISTRIES", string.Join(' ', options.InsecureRegistries)));
        env.Add(BuildJobTemplate.Env("IB_BUILDKIT_RUNTIME", BuildLayout.BuildKitRuntime));
        // No process sandbox: RUN steps cannot mount a fresh /proc inside an unprivileged container (Docker and
        // containerd mask parts of it); moby/buildkit's rootless Kubernetes examples pass the same flag.
        env.Add(BuildJobTemplate.Env("BUILDKITD_FLAGS", $"--oci-worker-no-process-sandbox --root={BuildLayout.BuildKitRoot}"));
        env.Add(BuildJobTemplate.Env("BUILDCTL_CONNECT_RETRIES_MAX", ConnectRetries.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        env.Add(BuildJobTemplate.Env("DOCKER_CONFIG", DockerConfig));
        var mounts = new List<V1VolumeMount>
        {
            BuildJobTemplate.WorkspaceMount(),
            BuildJobTemplate.RegistryMount(DockerConfig),
            new() { Name = StateVolume, MountPath = BuildLayout.BuildKitRoot },
            new() { Name = RuntimeVolume, MountPath = BuildLayout.BuildKitRuntimeVolume },
        };
        // The plan's envs as build args, for the repository's Dockerfile; after a nixpacks plan the script appends
        // nixpacks' own variables (which include these), and buildctl keeps the last value of a key.
        var args = BuildJobTemplate.BuildArgs(request, "--opt", (k, v) => $"build-arg:{k}={v}");
        var security = User();
        security.SeccompProfile = new V1SeccompProfile { Type = "Unconfined" };
        // Explicitly true: rootlesskit maps the user namespace with newuidmap/newgidmap, which get their
        // privilege from file capabilities (cap_setuid/cap_setgid). allowPrivilegeEscalation: false sets
        // no_new_privs, under which exec ignores file capabilities, and the build fails to start.
        security.AllowPrivilegeEscalation = true;
        var container = _template.Container(BuildJobTemplate.BuildContainer, options.Images.BuildKit, BuildScripts.BuildKit, args, env, mounts, security);
        container.Resources = _template.Resources();
        return container;
    }

    private static V1SecurityContext User() => new() { RunAsUser = BuildUser, RunAsGroup = BuildUser };
}
