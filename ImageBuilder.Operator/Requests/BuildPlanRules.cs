using System.Text.RegularExpressions;
using ImageBuilder.Operator.Api;

namespace ImageBuilder.Operator.Requests;

/// <summary>
/// The rules of a valid build plan (docs/contracts.md <c>buildPlan</c>), the one copy used by the queue
/// bridge and the reconciler. Paths end up inside the build container's filesystem, so a plan
/// must not reach outside the checked-out repository; package names become command-line
/// arguments, so none may look like an option. Empty (<c>""</c>, <c>null</c>, <c>[]</c>) means
/// unset for every field. The CRD schema (deploy/crds) accepts at least everything accepted here.
/// </summary>
public static partial class BuildPlanRules
{
    public const string BuilderNixpacks = "nixpacks";
    public const string BuilderDocker = "docker";
    public const int MaxListItems = 100;
    public const int MaxPathLength = 255;
    public const int MaxCommandLength = 4096;
    public const int MaxEnvValueLength = 32768;

    /// <summary>nixpacks reads its file configuration as TOML or JSON, chosen by the extension.</summary>
    private static readonly string[] NixpacksConfigExtensions = [".toml", ".json"];

    /// <summary>Adds one sentence per problem to <paramref name="errors"/>; nothing for a usable or absent plan.</summary>
    public static void Check(BuildPlanSpec? plan, List<string> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (plan is null)
        {
            return;
        }
        if (plan.Builder is not (null or "" or BuilderNixpacks or BuilderDocker))
        {
            errors.Add($"Field 'buildPlan.builder' must be '{BuilderNixpacks}' or '{BuilderDocker}' (got '{Text.Quote(plan.Builder)}').");
        }
        AddIf(errors, Path("rootDirectory", plan.RootDirectory, mustNameFile: false));
        AddIf(errors, Path("dockerfilePath", plan.DockerfilePath, mustNameFile: true));
        AddIf(errors, Path("nixpacksPath", plan.NixpacksPath, mustNameFile: true));
        if (!string.IsNullOrEmpty(plan.NixpacksPath) && !NixpacksConfigExtensions.Any(e => plan.NixpacksPath.EndsWith(e, StringComparison.OrdinalIgnoreCase)))
        {
            errors.Add($"Field 'buildPlan.nixpacksPath' must name a .toml or .json file (got '{Text.Quote(plan.NixpacksPath)}').");
        }
        foreach (var (name, value) in new[] { ("startCommand", plan.StartCommand), ("installCommand", plan.InstallCommand), ("buildCommand", plan.BuildCommand) })
        {
            if (value is { Length: > MaxCommandLength } || (value?.Contains('\0', StringComparison.Ordinal) ?? false))
            {
                errors.Add($"Field 'buildPlan.{name}' must be at most {MaxCommandLength} characters without NUL.");
            }
        }
        CheckEnvs(plan.Envs, errors);
        foreach (var (name, list) in new[] { ("nixPkgs", plan.NixPkgs), ("nixLibs", plan.NixLibs), ("aptPkgs", plan.AptPkgs) })
        {
            CheckPackages(name, list, errors);
        }
    }

    /// <summary>
    /// The plan with every empty value unset, or null when nothing is left: Go senders marshal unset
    /// fields as <c>""</c>, <c>null</c> or <c>[]</c>, and none of those may reach the ImageBuild.
    /// </summary>
    public static BuildPlanSpec? Normalize(BuildPlanSpec? plan)
    {
        if (plan is null)
        {
            return null;
        }
        var normal = new BuildPlanSpec
        {
            RootDirectory = NullIfEmpty(plan.RootDirectory),
            Builder = NullIfEmpty(plan.Builder),
            StartCommand = NullIfEmpty(plan.StartCommand),
            DockerfilePath = NullIfEmpty(plan.DockerfilePath),
            NixpacksPath = NullIfEmpty(plan.NixpacksPath),
            // A variable's value may be empty on purpose (FOO=); only a missing value becomes "".
            Envs = plan.Envs is { Count: > 0 } envs ? [.. envs.Select(e => new BuildEnv { Key = e.Key, Value = e.Value })] : null,
            NixPkgs = plan.NixPkgs is { Count: > 0 } ? plan.NixPkgs : null,
            NixLibs = plan.NixLibs is { Count: > 0 } ? plan.NixLibs : null,
            AptPkgs = plan.AptPkgs is { Count: > 0 } ? plan.AptPkgs : null,
            InstallCommand = NullIfEmpty(plan.InstallCommand),
            BuildCommand = NullIfEmpty(plan.BuildCommand),
        };
        bool[] set = [normal.RootDirectory is not null, normal.Builder is not null, normal.StartCommand is not null, normal.DockerfilePath is not null,
            normal.NixpacksPath is not null, normal.Envs is not null, normal.NixPkgs is not null, normal.NixLibs is not null, normal.AptPkgs is not null,
            normal.InstallCommand is not null, normal.BuildCommand is not null];
        return set.Any(s => s) ? normal : null;
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

    private static string? Path(string field, string? path, bool mustNameFile)
    {
        if (string.IsNullOrEmpty(path))
        {
            return null;
        }
        if (path.Length > MaxPathLength || !path.All(c => c is >= ' ' and <= '~') || path.Trim().Length != path.Length)
        {
            return $"Field 'buildPlan.{field}' must be at most {MaxPathLength} printable ASCII characters, without leading or trailing spaces (got '{Text.Quote(path)}').";
        }
        if (path.StartsWith('/') || path.Contains('\\', StringComparison.Ordinal) || DriveLetter().IsMatch(path))
        {
            return $"Field 'buildPlan.{field}' must be relative to the repository, without a leading '/', '\\' or drive letter (got '{Text.Quote(path)}').";
        }
        if (path.Split('/').Any(s => s == ".."))
        {
            return $"Field 'buildPlan.{field}' must stay inside the repository; '..' is not allowed (got '{Text.Quote(path)}').";
        }
        if (mustNameFile && (NormalizePath(path).Length == 0 || path.EndsWith('/') || path.EndsWith("/.", StringComparison.Ordinal)))
        {
            return $"Field 'buildPlan.{field}' must name a file, not a directory (got '{Text.Quote(path)}').";
        }
        return null;
    }

    private static void CheckEnvs(List<BuildEnv>? envs, List<string> errors)
    {
        if (envs is null)
        {
            return;
        }
        if (envs.Count > MaxListItems)
        {
            errors.Add($"Field 'buildPlan.envs' must hold at most {MaxListItems} variables.");
            return;
        }
        foreach (var env in envs)
        {
            if (env is null || !EnvNamePattern().IsMatch(env.Key ?? ""))
            {
                errors.Add($"Field 'buildPlan.envs' has an invalid variable name '{Text.Quote(env?.Key ?? "")}' (letters, digits and '_', not starting with a digit).");
            }
            else if ((env.Value ?? "").Length > MaxEnvValueLength || (env.Value ?? "").Contains('\0', StringComparison.Ordinal))
            {
                errors.Add($"Field 'buildPlan.envs' value of '{env.Key}' must be at most {MaxEnvValueLength} characters without NUL.");
            }
        }
    }

    private static void CheckPackages(string name, List<string>? list, List<string> errors)
    {
        if (list is null)
        {
            return;
        }
        if (list.Count > MaxListItems)
        {
            errors.Add($"Field 'buildPlan.{name}' must list at most {MaxListItems} packages.");
            return;
        }
        foreach (var package in list)
        {
            if (package is null || !PackagePattern().IsMatch(package))
            {
                errors.Add($"Field 'buildPlan.{name}': '{Text.Quote(package ?? "null")}' is not a package name (letters, digits, '.', '_', '+', ':', '@', '/', '=', '-'; not starting with '-').");
                return;
            }
        }
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    private static void AddIf(List<string> errors, string? error)
    {
        if (error is not null)
        {
            errors.Add(error);
        }
    }

    [GeneratedRegex("^[A-Za-z]:")]
    private static partial Regex DriveLetter();

    [GeneratedRegex(@"^[A-Za-z_][A-Za-z0-9_]{0,254}\z")]
    private static partial Regex EnvNamePattern();

    // Must not start with '-': package names become command-line arguments.
    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9._+:@/=-]{0,199}\z")]
    private static partial Regex PackagePattern();
}
