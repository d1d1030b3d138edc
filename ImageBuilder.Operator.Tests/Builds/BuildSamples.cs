using ImageBuilder.Operator.Api;
using ImageBuilder.Operator.Builds;
using ImageBuilder.Operator.Options;
using k8s.Models;

namespace ImageBuilder.Operator.Tests.Builds;

/// <summary>Requests and objects shared by the build tests.</summary>
internal static class BuildSamples
{
    public const string Commit = "3f2c9ab0c1d2e3f405162738495a6b7c8d9e0f1a";
    public const string Digest = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    public static ImageBuild Build(BuildPlanSpec? plan = null, string? applicationId = "65a1c0ffee") => new()
    {
        Metadata = new V1ObjectMeta { Name = "ib-65a1c0ffee-3f2c9ab", NamespaceProperty = "builds", Uid = "0d4c2f8e-7d7b-4b7e-9a53-1c0ffee00001" },
        Spec = new ImageBuildSpec
        {
            ApplicationId = applicationId,
            UserId = "18008",
            Source = new SourceSpec { Repo = "vano2903/testing", Branch = "main", TokenSecretRef = new SecretKeyRef { Name = "ib-65a1c0ffee-token" } },
            BuildPlan = plan,
        },
    };

    public static BuildJobRequest Request(BuildPlanSpec? plan = null, bool archive = true, bool token = true) => new(
        Build(plan),
        JobName: "ib-65a1c0ffee-3f2c9ab-1",
        Attempt: 1,
        Commit: Commit,
        ArchiveUrl: archive ? $"https://api.github.com/repos/vano2903/testing/tarball/{Commit}" : null,
        CloneUrl: archive ? null : "https://github.com/vano2903/testing.git",
        ImageRef: $"127.0.0.1:5000/18008/65a1c0ffee:{Commit}",
        TokenSecretName: token ? "ib-65a1c0ffee-token" : "",
        TokenSecretKey: "token",
        RegistrySecretName: "image-builder-registry",
        Timeout: TimeSpan.FromMinutes(30));

    /// <summary>Production-like options: the tool images a platform builds from deploy/images/, no host network.</summary>
    public static BuildOptions Options()
    {
        var options = new BuildOptions { Registry = "127.0.0.1:5000" };
        options.Images.Fetch = "registry.example.test/image-builder/fetch:1";
        options.Images.Nixpacks = "registry.example.test/image-builder/nixpacks:1.39.0";
        return options;
    }

    /// <summary>The development cluster's options: host network, the loopback registry over plain http.</summary>
    public static BuildOptions DevOptions()
    {
        var options = Options();
        options.HostNetwork = true;
        options.InsecureRegistries.Add("127.0.0.1:5000");
        return options;
    }

    public static Microsoft.Extensions.Options.IOptions<BuildOptions> Wrap(BuildOptions options) => Microsoft.Extensions.Options.Options.Create(options);

    /// <summary>A plan that uses every nixpacks knob.</summary>
    public static BuildPlanSpec FullNixpacksPlan() => new()
    {
        Builder = "nixpacks",
        RootDirectory = "./services/api/",
        StartCommand = "node server.js",
        InstallCommand = "npm ci",
        BuildCommand = "npm run build",
        NixpacksPath = "nixpacks.toml",
        NixPkgs = ["nodejs_20", "python3"],
        NixLibs = ["libuuid"],
        AptPkgs = ["curl"],
        Envs = [new BuildEnv { Key = "NODE_ENV", Value = "production" }, new BuildEnv { Key = "API_URL", Value = "https://example.test/a b" }],
    };

    /// <summary>A plan that names a Dockerfile below a root directory.</summary>
    public static BuildPlanSpec DockerfilePlan() => new()
    {
        Builder = "docker",
        RootDirectory = "services/api",
        DockerfilePath = "deploy/Dockerfile.prod",
        Envs = [new BuildEnv { Key = "VERSION", Value = "1.2.3" }],
    };
}
