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

    /// <summary>The build context: the source tree, or its <c>rootDirectory</c>.</summary>
    public static string Context(BuildPlanSpec? plan) => Join(Source, BuildPlanRules.NormalizePath(plan?.RootDirectory));

    /// <summary>True when nixpacks must write the Dockerfile: no Dockerfile is named and the builder is not docker.</summary>
    public static bool UsesNixpacks(BuildPlanSpec? plan) =>
        plan?.Builder != BuildPlanRules.BuilderDocker && string.IsNullOrWhiteSpace(plan?.DockerfilePath);

    /// <summary>The repository's Dockerfile: the plan's <c>dockerfilePath</c> relative to the root directory, or <c>Dockerfile</c> there.</summary>
    public static string RepositoryDockerfile(BuildPlanSpec? plan)
    {
        var named = BuildPlanRules.NormalizePath(plan?.DockerfilePath);
        return Join(Context(plan), named.Length == 0 ? "Dockerfile" : named);
    }

    /// <summary>The plan's nixpacks.toml; like <c>dockerfilePath</c>, relative to the root directory.</summary>
    public static string NixpacksConfig(BuildPlanSpec plan) => Join(Context(plan), BuildPlanRules.NormalizePath(plan.NixpacksPath));

    /// <summary>The Dockerfile nixpacks writes with <c>--out</c>.</summary>
    public static string NixpacksDockerfile(BuildPlanSpec? plan) => Join(Context(plan), ".nixpacks/Dockerfile");

    private static string Join(string left, string right) => right.Length == 0 ? left : left + "/" + right;
}
