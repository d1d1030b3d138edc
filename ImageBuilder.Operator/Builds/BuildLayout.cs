using ImageBuilder.Operator.Api;
using ImageBuilder.Operator.Requests;

namespace ImageBuilder.Operator.Builds;

/// <summary>Where things live inside a build pod. The plan must have passed <see cref="BuildPlanRules"/>.</summary>
public static class BuildLayout
{
    public const string Workspace = "/workspace";
    public const string Source = Workspace + "/src";
    public const string Logs = Workspace + "/logs";
    public const string TokenDirectory = "/secrets/token";
    public const string TokenFile = TokenDirectory + "/token";

    /// <summary>What the plan container decided, for the build container: <c>dockerfile</c> (the path to build) and <c>build-args</c>.</summary>
    public const string Plan = Workspace + "/plan";

    /// <summary>BuildKit's state (<c>--root</c>), an emptyDir of this pod: also the rootless images' VOLUME, which some nodes mount nosuid,nodev.</summary>
    public const string BuildKitRoot = "/home/user/.local/share/buildkit";

    /// <summary>An emptyDir of this pod holding BuildKit's runtime folder (<c>XDG_RUNTIME_DIR</c>: its socket and rootlesskit's state).</summary>
    public const string BuildKitRuntimeVolume = "/run/imagebuilder";

    /// <summary>
    /// <c>XDG_RUNTIME_DIR</c> of the build: buildctl-daemonless.sh puts buildkitd's socket there. Two daemonless
    /// builds sharing one collide silently (the second talks to the first one's daemon), so it is this pod's own.
    /// </summary>
    public const string BuildKitRuntime = BuildKitRuntimeVolume + "/xdg";

    /// <summary>The build context: the source tree, or its <c>rootDirectory</c>.</summary>
    public static string Context(BuildPlanSpec? plan) => Join(Source, BuildPlanRules.NormalizePath(plan?.RootDirectory));

    /// <summary>
    /// True when the plan container decides what to build: no Dockerfile is named and the builder is not docker.
    /// It then builds the repository's own Dockerfile when there is one (unless the builder is nixpacks), else runs nixpacks.
    /// </summary>
    public static bool NeedsPlan(BuildPlanSpec? plan) =>
        plan?.Builder != BuildPlanRules.BuilderDocker && string.IsNullOrWhiteSpace(plan?.DockerfilePath);

    /// <summary>True when the plan says <c>builder: nixpacks</c>: nixpacks runs even if the repository has a Dockerfile.</summary>
    public static bool ForcesNixpacks(BuildPlanSpec? plan) => plan?.Builder == BuildPlanRules.BuilderNixpacks;

    /// <summary>The repository's Dockerfile: the plan's <c>dockerfilePath</c> relative to the root directory, or <c>Dockerfile</c> there.</summary>
    public static string RepositoryDockerfile(BuildPlanSpec? plan)
    {
        var named = BuildPlanRules.NormalizePath(plan?.DockerfilePath);
        return Join(Context(plan), named.Length == 0 ? "Dockerfile" : named);
    }

    /// <summary>
    /// The plan's nixpacks config, relative to the root directory like <c>dockerfilePath</c>: nixpacks runs there
    /// and reads <c>--config</c> relative to the app (src/nixpacks/app.rs, read_file: source.join(name)).
    /// </summary>
    public static string NixpacksConfig(BuildPlanSpec plan) => BuildPlanRules.NormalizePath(plan.NixpacksPath);

    private static string Join(string left, string right) => right.Length == 0 ? left : left + "/" + right;
}
