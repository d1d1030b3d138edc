using ImageBuilder.Operator.Api;
using ImageBuilder.Operator.Options;
using ImageBuilder.Operator.Requests;
using k8s.Models;

namespace ImageBuilder.Operator.Builds;

/// <summary>The parts of a build Job that do not depend on the builder: metadata, ownership, volumes and the fetch container.</summary>
public sealed class BuildJobTemplate(BuildOptions options)
{
    public const string WorkspaceVolume = "workspace";
    public const string TokenVolume = "source-token";
    public const string RegistryVolume = "registry-auth";
    public const string FetchContainer = "fetch";
    public const string PlanContainer = "plan";
    public const string BuildContainer = "build";
    private const string TerminationPolicy = "FallbackToLogsOnError";

    public BuildOptions Options { get; } = options;

    /// <summary>A Job with metadata, owner reference, deadline and no retries (retries are the operator's).</summary>
    public V1Job Job(BuildJobRequest request, V1PodSpec podSpec, IDictionary<string, string>? podAnnotations = null)
    {
        ArgumentNullException.ThrowIfNull(request);
        var uid = request.Build.Metadata.Uid;
        if (string.IsNullOrEmpty(uid))
        {
            throw new ArgumentException("The ImageBuild has no uid: read it from the apiserver before building its Job.", nameof(request));
        }
        podSpec.RestartPolicy = "Never";
        podSpec.AutomountServiceAccountToken = false;
        podSpec.EnableServiceLinks = false;
        // Only where pods have no network of their own (the development cluster): left unset otherwise.
        podSpec.HostNetwork = Options.HostNetwork ? true : null;
        return new V1Job
        {
            ApiVersion = "batch/v1",
            Kind = "Job",
            Metadata = new V1ObjectMeta
            {
                Name = request.JobName,
                NamespaceProperty = request.Build.Metadata.NamespaceProperty,
                Labels = Labels(request),
                OwnerReferences = [Owner(request.Build, uid)],
            },
            Spec = new V1JobSpec
            {
                BackoffLimit = 0,
                ActiveDeadlineSeconds = (long)Math.Max(1, Math.Ceiling(request.Timeout.TotalSeconds)),
                Template = new V1PodTemplateSpec
                {
                    Metadata = new V1ObjectMeta { Labels = Labels(request), Annotations = podAnnotations },
                    Spec = podSpec,
                },
            },
        };
    }

    /// <summary>The init container that downloads the source into the workspace.</summary>
    public V1Container Fetch(BuildJobRequest request, V1SecurityContext? securityContext = null)
    {
        ArgumentNullException.ThrowIfNull(request);
        var env = new List<V1EnvVar>
        {
            Env("IB_COMMIT", request.Commit),
            Env("IB_ARCHIVE_URL", request.ArchiveUrl ?? ""),
            Env("IB_CLONE_URL", request.CloneUrl ?? ""),
            Env("HOME", "/tmp"),
        };
        var mounts = new List<V1VolumeMount> { WorkspaceMount() };
        if (HasToken(request))
        {
            env.Add(Env("IB_TOKEN_FILE", BuildLayout.TokenFile));
            mounts.Add(new V1VolumeMount { Name = TokenVolume, MountPath = BuildLayout.TokenDirectory, ReadOnlyProperty = true });
        }
        return Container(FetchContainer, Options.Images.Fetch, BuildScripts.Fetch, [], env, mounts, securityContext);
    }

    /// <summary>A container running <paramref name="script"/> with <c>sh -c</c>; <paramref name="args"/> become "$@".</summary>
    public V1Container Container(string name, string image, string script, IEnumerable<string> args, IList<V1EnvVar> env, IList<V1VolumeMount> mounts, V1SecurityContext? securityContext)
    {
        return new V1Container
        {
            Name = name,
            Image = image,
            ImagePullPolicy = Options.ImagePullPolicy,
            Command = ["/bin/sh", "-c", script, name, .. args],
            Env = env,
            VolumeMounts = mounts,
            SecurityContext = securityContext,
            TerminationMessagePolicy = TerminationPolicy,
        };
    }

    /// <summary>The workspace, the token Secret (when there is one) and the registry dockerconfigjson Secret.</summary>
    public List<V1Volume> Volumes(BuildJobRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var volumes = new List<V1Volume> { EmptyDir(WorkspaceVolume, Options.Storage.WorkspaceSizeLimit) };
        if (HasToken(request))
        {
            volumes.Add(new V1Volume
            {
                Name = TokenVolume,
                Secret = new V1SecretVolumeSource
                {
                    SecretName = request.TokenSecretName,
                    Items = [new V1KeyToPath { Key = request.TokenSecretKey, Path = "token" }],
                    // Readable by the non-root build user; the pod holds nothing else.
                    DefaultMode = Convert.ToInt32("444", 8),
                },
            });
        }
        volumes.Add(new V1Volume
        {
            Name = RegistryVolume,
            Secret = new V1SecretVolumeSource
            {
                SecretName = request.RegistrySecretName,
                Items = [new V1KeyToPath { Key = ".dockerconfigjson", Path = "config.json" }],
                DefaultMode = Convert.ToInt32("444", 8),
            },
        });
        return volumes;
    }

    /// <summary>An emptyDir the kubelet evicts the pod for once it holds more than <paramref name="sizeLimit"/>.</summary>
    public static V1Volume EmptyDir(string name, string sizeLimit) =>
        new() { Name = name, EmptyDir = new V1EmptyDirVolumeSource { SizeLimit = new ResourceQuantity(sizeLimit) } };

    /// <summary>The registry credentials as <c>$DOCKER_CONFIG/config.json</c>.</summary>
    public static V1VolumeMount RegistryMount(string dockerConfigDirectory) =>
        new() { Name = RegistryVolume, MountPath = dockerConfigDirectory, ReadOnlyProperty = true };

    public static V1EnvVar Env(string name, string value) => new() { Name = name, Value = value };

    public static V1VolumeMount WorkspaceMount() => new() { Name = WorkspaceVolume, MountPath = BuildLayout.Workspace };

    /// <summary>
    /// Variables the build container reads: where the context and the image are, and the Dockerfile when the
    /// plan names it (null: the plan container writes its choice to <see cref="BuildLayout.Plan"/>).
    /// </summary>
    public static List<V1EnvVar> BuildEnv(BuildJobRequest request, string? dockerfile)
    {
        ArgumentNullException.ThrowIfNull(request);
        var plan = request.Build.Spec.BuildPlan;
        var env = new List<V1EnvVar>
        {
            Env("IB_IMAGE", request.ImageRef),
            Env("IB_SOURCE", BuildLayout.Source),
            Env("IB_CONTEXT", BuildLayout.Context(plan)),
            Env("IB_ROOT_DIRECTORY", BuildPlanRules.NormalizePath(plan?.RootDirectory)),
            Env("IB_PLAN", BuildLayout.Plan),
        };
        if (dockerfile is not null)
        {
            env.Add(Env("IB_DOCKERFILE", dockerfile));
        }
        return env;
    }

    /// <summary>Requests and limits from the options.</summary>
    public V1ResourceRequirements Resources() => new()
    {
        Requests = Options.Resources.Requests.ToDictionary(p => p.Key, p => new ResourceQuantity(p.Value), StringComparer.Ordinal),
        Limits = Options.Resources.Limits.ToDictionary(p => p.Key, p => new ResourceQuantity(p.Value), StringComparer.Ordinal),
    };

    /// <summary>The plan's envs, each as <paramref name="flag"/> followed by <paramref name="format"/>(key, value).</summary>
    public static IEnumerable<string> BuildArgs(BuildJobRequest request, string flag, Func<string, string, string> format)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(format);
        foreach (var env in request.Build.Spec.BuildPlan?.Envs ?? [])
        {
            yield return flag;
            yield return format(env.Key, env.Value ?? "");
        }
    }

    private static bool HasToken(BuildJobRequest request) => !string.IsNullOrEmpty(request.TokenSecretName);

    private static Dictionary<string, string> Labels(BuildJobRequest request) => new(StringComparer.Ordinal)
    {
        [Annotations.ManagedByLabel] = Annotations.ManagedByValue,
        [Annotations.BuildLabel] = Annotations.LabelValue(request.Build.Metadata.Name),
        [Annotations.AttemptLabel] = request.Attempt.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    private static V1OwnerReference Owner(ImageBuild build, string uid) => new()
    {
        ApiVersion = ImageBuild.ApiGroupVersion,
        Kind = ImageBuild.KindName,
        Name = build.Metadata.Name,
        Uid = uid,
        Controller = true,
        BlockOwnerDeletion = true,
    };
}
