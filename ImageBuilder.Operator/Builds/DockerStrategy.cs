using ImageBuilder.Operator.Options;
using k8s.Models;
using Microsoft.Extensions.Options;

namespace ImageBuilder.Operator.Builds;

/// <summary>
/// Development: builds with the node's Docker engine through its socket (BuildKit inside dockerd),
/// then pushes. Needs a Dockerfile: nixpacks is not available where this strategy runs.
/// Host network because the development cluster has no pod network. The Docker socket is root on
/// the node: this strategy is for single-tenant development clusters, never for shared ones.
/// </summary>
public sealed class DockerStrategy(IOptions<BuildOptions> options) : IBuildStrategy
{
    private const string DockerConfig = "/docker-config";
    private const string SocketVolume = "docker-socket";
    private const string Socket = "/var/run/docker.sock";
    private readonly BuildJobTemplate _template = new(options.Value);

    public string Name => BuildOptions.StrategyNames.Docker;

    public V1Job CreateJob(BuildJobRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var volumes = _template.Volumes(request);
        volumes.Add(new V1Volume { Name = SocketVolume, HostPath = new V1HostPathVolumeSource { Path = Socket, Type = "Socket" } });
        var spec = new V1PodSpec
        {
            HostNetwork = true,
            InitContainers = [_template.Fetch(request)],
            Containers = [Build(request)],
            Volumes = volumes,
        };
        return _template.Job(request, spec);
    }

    private V1Container Build(BuildJobRequest request)
    {
        var env = BuildJobTemplate.BuildEnv(request, BuildLayout.RepositoryDockerfile(request.Build.Spec.BuildPlan));
        env.Add(BuildJobTemplate.Env("DOCKER_CONFIG", DockerConfig));
        env.Add(BuildJobTemplate.Env("DOCKER_HOST", "unix://" + Socket));
        var mounts = new List<V1VolumeMount>
        {
            BuildJobTemplate.WorkspaceMount(),
            BuildJobTemplate.RegistryMount(DockerConfig),
            new() { Name = SocketVolume, MountPath = Socket },
        };
        var network = _template.Options.DockerBuildNetwork;
        var args = (string.IsNullOrEmpty(network) ? [] : new[] { "--network", network })
            .Concat(BuildJobTemplate.BuildArgs(request, "--build-arg", (k, v) => $"{k}={v}"));
        var container = _template.Container(BuildJobTemplate.BuildContainer, _template.Options.Images.DockerBuilder, BuildScripts.Docker, args, env, mounts, null);
        container.Resources = _template.Resources();
        return container;
    }
}
