using System.Text.RegularExpressions;
using ImageBuilder.Operator.Api;

namespace ImageBuilder.Operator.Builds;

/// <summary>
/// Checks a build plan before any Job exists. Paths end up inside the build container's
/// filesystem, so a plan must not reach outside the checked-out repository.
/// </summary>
public static partial class BuildPlanValidator
{
    public const string BuilderNixpacks = "nixpacks";
    public const string BuilderDocker = "docker";
    private const int MaxPathLength = 1024;

    /// <summary>Null when the plan is usable, else one sentence for the user (fault <c>user</c>).</summary>
    public static string? Validate(BuildPlanSpec? plan)
    {
        if (plan is null)
        {
            return null;
        }
        return ValidateBuilder(plan.Builder)
            ?? ValidatePath("rootDirectory", plan.RootDirectory, mustNameFile: false)
            ?? ValidatePath("dockerfilePath", plan.DockerfilePath, mustNameFile: true)
            ?? ValidatePath("nixpacksPath", plan.NixpacksPath, mustNameFile: true)
            ?? ValidateNixpacksConfig(plan.NixpacksPath)
            ?? ValidateEnvs(plan.Envs)
            ?? ValidatePackages("nixPkgs", plan.NixPkgs)
            ?? ValidatePackages("nixLibs", plan.NixLibs)
            ?? ValidatePackages("aptPkgs", plan.AptPkgs);
    }

    /// <summary>A checked relative path without <c>./</c>, doubled or trailing slashes; empty for the repository root.</summary>
    public static string NormalizePath(string? path)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            return "";
        }
        var segments = path.Trim().Split('/', StringSplitOptions.RemoveEmptyEntries).Where(s => s != ".");
        return string.Join('/', segments);
    }

    private static string? ValidateBuilder(string? builder) =>
        string.IsNullOrEmpty(builder) || builder is BuilderNixpacks or BuilderDocker
            ? null
            : $"buildPlan.builder '{builder}' is not supported; use '{BuilderNixpacks}' or '{BuilderDocker}'.";

    private static string? ValidatePath(string field, string? path, bool mustNameFile)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            return null;
        }
        if (path.Length > MaxPathLength || path.Any(char.IsControl))
        {
            return $"buildPlan.{field} is not a usable path.";
        }
        if (path.StartsWith('/') || path.Contains('\\', StringComparison.Ordinal) || DriveLetter().IsMatch(path))
        {
            return $"buildPlan.{field} '{path}' must be relative to the repository (no leading '/' or '\\').";
        }
        if (path.Split('/').Any(s => s == ".."))
        {
            return $"buildPlan.{field} '{path}' must stay inside the repository ('..' is not allowed).";
        }
        if (mustNameFile && NormalizePath(path).Length == 0)
        {
            return $"buildPlan.{field} '{path}' must name a file.";
        }
        return null;
    }

    // nixpacks 1.39.0 picks the parser by extension and fails on any other (src/nixpacks/plan/generator.rs,
    // read_file_plan: "Unknown file type"): say so before a Job exists.
    private static string? ValidateNixpacksConfig(string? path) =>
        string.IsNullOrWhiteSpace(path) || path.Trim().EndsWith(".toml", StringComparison.Ordinal) || path.Trim().EndsWith(".json", StringComparison.Ordinal)
            ? null
            : $"buildPlan.nixpacksPath '{path}' must name a nixpacks config file ending in .toml or .json.";

    private static string? ValidateEnvs(List<BuildEnv>? envs)
    {
        var bad = envs?.FirstOrDefault(e => !EnvName().IsMatch(e.Key ?? ""));
        return bad is null ? null : $"buildPlan.envs: '{bad.Key}' is not a valid variable name (letters, digits and '_', not starting with a digit).";
    }

    private static string? ValidatePackages(string field, List<string>? packages)
    {
        var bad = packages?.FirstOrDefault(p => !PackageName().IsMatch(p ?? ""));
        return bad is null ? null : $"buildPlan.{field}: '{bad}' is not a package name.";
    }

    [GeneratedRegex("^[A-Za-z]:")]
    private static partial Regex DriveLetter();

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]{0,254}$")]
    private static partial Regex EnvName();

    // Must not start with '-': package names become command-line arguments.
    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._+:@/=-]{0,199}$")]
    private static partial Regex PackageName();
}
