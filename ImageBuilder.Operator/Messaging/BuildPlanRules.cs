using System.Text.Json;
using System.Text.RegularExpressions;
using ImageBuilder.Operator.Api;

namespace ImageBuilder.Operator.Messaging;

/// <summary>Reads and checks the newer senders' <c>buildPlan</c>; unknown fields are ignored.</summary>
internal static partial class BuildPlanRules
{
    private const int MaxListItems = 100;
    private const int MaxValueLength = 4096;
    private const int MaxEnvValueLength = 32768;

    private static readonly JsonSerializerOptions Json = new() { PropertyNameCaseInsensitive = true, MaxDepth = 8 };

    public static BuildPlanSpec? Read(JsonElement element, List<string> errors)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            errors.Add($"Field 'buildPlan' must be an object, not {JsonFields.Describe(element.ValueKind)}.");
            return null;
        }
        BuildPlanSpec? plan;
        try
        {
            plan = element.Deserialize<BuildPlanSpec>(Json);
        }
        catch (JsonException e)
        {
            errors.Add($"Field 'buildPlan{e.Path?.TrimStart('$')}' has the wrong type.");
            return null;
        }
        catch (InvalidOperationException)
        {
            errors.Add("Field 'buildPlan' holds text that is not valid Unicode.");
            return null;
        }
        if (plan is not null)
        {
            Check(plan, errors);
        }
        return plan;
    }

    private static void Check(BuildPlanSpec plan, List<string> errors)
    {
        if (plan.Builder is not (null or "" or "nixpacks" or "docker"))
        {
            errors.Add($"Field 'buildPlan.builder' must be 'nixpacks' or 'docker' (got '{Text.Quote(plan.Builder)}').");
        }
        RelativePath(errors, "rootDirectory", plan.RootDirectory);
        RelativePath(errors, "dockerfilePath", plan.DockerfilePath);
        RelativePath(errors, "nixpacksPath", plan.NixpacksPath);
        foreach (var (name, value) in new[] { ("startCommand", plan.StartCommand), ("installCommand", plan.InstallCommand), ("buildCommand", plan.BuildCommand) })
        {
            if (value is { Length: > MaxValueLength } || (value?.Contains('\0', StringComparison.Ordinal) ?? false))
            {
                errors.Add($"Field 'buildPlan.{name}' must be at most {MaxValueLength} characters without NUL.");
            }
        }
        CheckEnvs(plan.Envs, errors);
        foreach (var (name, list) in new[] { ("nixPkgs", plan.NixPkgs), ("nixLibs", plan.NixLibs), ("aptPkgs", plan.AptPkgs) })
        {
            if (list is { Count: > MaxListItems } || (list?.Any(p => p is null || !PackagePattern().IsMatch(p)) ?? false))
            {
                errors.Add($"Field 'buildPlan.{name}' must list at most {MaxListItems} package names (letters, digits, '.', '_', '+', '-', ':', '@', '/', '=').");
            }
        }
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
                errors.Add($"Field 'buildPlan.envs' has an invalid variable name '{Text.Quote(env?.Key ?? "")}'.");
            }
            else if ((env.Value ?? "").Length > MaxEnvValueLength || (env.Value ?? "").Contains('\0', StringComparison.Ordinal))
            {
                errors.Add($"Field 'buildPlan.envs' value of '{env.Key}' must be at most {MaxEnvValueLength} characters without NUL.");
            }
        }
    }

    private static void RelativePath(List<string> errors, string name, string? path)
    {
        if (string.IsNullOrEmpty(path))
        {
            return;
        }
        var bad = path.Length > 255 || !path.All(c => c is >= ' ' and <= '~') || path.StartsWith('/') || path.Contains('\\', StringComparison.Ordinal)
            || path.Split('/').Any(s => s == "..");
        if (bad)
        {
            errors.Add($"Field 'buildPlan.{name}' must be a relative path inside the repository (got '{Text.Quote(path)}').");
        }
    }

    [GeneratedRegex(@"^[A-Za-z_][A-Za-z0-9_]{0,255}\z")]
    private static partial Regex EnvNamePattern();

    [GeneratedRegex(@"^[A-Za-z0-9._+:@/=-]{1,200}\z")]
    private static partial Regex PackagePattern();
}
