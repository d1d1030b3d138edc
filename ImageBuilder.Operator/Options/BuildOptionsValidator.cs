using System.Text.RegularExpressions;
using k8s.Models;

namespace ImageBuilder.Operator.Options;

/// <summary>Checks <see cref="BuildOptions"/> and reports every problem at once, each with its path.</summary>
public sealed partial class BuildOptionsValidator : EveryProblemValidator<BuildOptions>
{
    private static readonly string[] PullPolicies = ["Always", "IfNotPresent", "Never"];
    private static readonly string[] Placeholders = ["{registry}", "{userID}", "{applicationID}"];

    protected override void Check(BuildOptions options, List<string> errors)
    {
        ValidateStrategy(options, errors);
        ValidateTimes(options, errors);
        ValidateLimits(options, errors);
        ValidateRegistry(options, errors);
        ValidateTemplate(options.ImageNameTemplate, errors);
        ValidateImages(options.Images, errors);
        ValidateInsecureRegistries(options.InsecureRegistries, errors);
        ValidateResources(options.Resources, errors);
        ValidateStorage(options.Storage, errors);
    }

    private static void ValidateStrategy(BuildOptions options, List<string> errors)
    {
        // The docker strategy (the node's Docker socket, root on the node) is gone: say so rather than "unknown".
        if (options.Strategy is not BuildOptions.StrategyNames.BuildKit)
        {
            errors.Add($"{Path("Strategy")}: '{options.Strategy}' is not a strategy; use '{BuildOptions.StrategyNames.BuildKit}' (rootless BuildKit; the 'docker' strategy was removed).");
        }
        if (!PullPolicies.Contains(options.ImagePullPolicy, StringComparer.Ordinal))
        {
            errors.Add($"{Path("ImagePullPolicy")}: '{options.ImagePullPolicy}' must be one of {string.Join(", ", PullPolicies)}.");
        }
    }

    private static void ValidateTimes(BuildOptions options, List<string> errors)
    {
        if (options.DefaultTimeout < TimeSpan.FromSeconds(1))
        {
            errors.Add($"{Path("DefaultTimeout")}: must be at least one second.");
        }
        if (options.PendingTimeout < TimeSpan.FromSeconds(1))
        {
            errors.Add($"{Path("PendingTimeout")}: must be at least one second.");
        }
    }

    // Data annotations are not bound to this validator: the ranges are checked here too, so a zero (which would
    // otherwise read as "no build ever starts", or be mistaken for "unlimited") stops start-up with its path.
    private static void ValidateLimits(BuildOptions options, List<string> errors)
    {
        if (options.MaxConcurrentBuilds < 1)
        {
            errors.Add($"{Path("MaxConcurrentBuilds")}: {options.MaxConcurrentBuilds} must be at least 1 (there is no 'unlimited'; write a large number).");
        }
        if (options.MaxConcurrentBuildsPerUser < 1)
        {
            errors.Add($"{Path("MaxConcurrentBuildsPerUser")}: {options.MaxConcurrentBuildsPerUser} must be at least 1 (there is no 'unlimited'; write a large number).");
        }
    }

    private static void ValidateRegistry(BuildOptions options, List<string> errors)
    {
        if (string.IsNullOrWhiteSpace(options.Registry))
        {
            errors.Add($"{Path("Registry")}: required, a host[:port] such as 127.0.0.1:5000.");
        }
        else if (!RegistryHost().IsMatch(options.Registry))
        {
            errors.Add($"{Path("Registry")}: '{options.Registry}' must be a host[:port] without scheme or path.");
        }
        if (options.RegistryScheme is { Length: > 0 } scheme && scheme is not ("http" or "https"))
        {
            errors.Add($"{Path("RegistryScheme")}: '{scheme}' must be 'http', 'https' or empty.");
        }
        if (string.IsNullOrEmpty(options.RegistryUsername) != string.IsNullOrEmpty(options.RegistryPassword))
        {
            // Only say which one is missing: the password itself is never echoed.
            errors.Add($"{Path("RegistryUsername")}/{Path("RegistryPassword")}: set both or neither.");
        }
        if (string.IsNullOrWhiteSpace(options.RegistrySecretName) || !DnsName().IsMatch(options.RegistrySecretName))
        {
            errors.Add($"{Path("RegistrySecretName")}: '{options.RegistrySecretName}' must be a Secret name (lowercase DNS-1123).");
        }
    }

    private static void ValidateTemplate(string template, List<string> errors)
    {
        if (string.IsNullOrWhiteSpace(template))
        {
            errors.Add($"{Path("ImageNameTemplate")}: required.");
            return;
        }
        var rest = Placeholders.Aggregate(template, (t, p) => t.Replace(p, "x", StringComparison.Ordinal));
        if (rest.Contains('{', StringComparison.Ordinal) || rest.Contains('}', StringComparison.Ordinal))
        {
            errors.Add($"{Path("ImageNameTemplate")}: '{template}' has an unknown placeholder; use {string.Join(", ", Placeholders)}.");
        }
        if (rest.Contains('@', StringComparison.Ordinal) || rest[(rest.LastIndexOf('/') + 1)..].Contains(':', StringComparison.Ordinal))
        {
            errors.Add($"{Path("ImageNameTemplate")}: '{template}' names a repository: no tag or digest (the tag is the commit).");
        }
    }

    private static void ValidateImages(BuildOptions.ImageOptions? images, List<string> errors)
    {
        if (images is null)
        {
            errors.Add($"{Path("Images")}: required.");
            return;
        }
        foreach (var (key, value, hint) in new[]
        {
            ("Fetch", images.Fetch, "an image with sh, wget, tar and git (deploy/images/README.md)"),
            ("Nixpacks", images.Nixpacks, "an image with sh, the nixpacks 1.39.0 CLI and jq (deploy/images/README.md)"),
            ("BuildKit", images.BuildKit, "a rootless BuildKit image such as moby/buildkit:v0.18.2-rootless"),
        })
        {
            if (string.IsNullOrWhiteSpace(value))
            {
                errors.Add($"{Path("Images:" + key)}: required, {hint}.");
            }
            else if (value.Any(char.IsWhiteSpace))
            {
                errors.Add($"{Path("Images:" + key)}: '{value}' is not an image reference.");
            }
        }
    }

    private static void ValidateInsecureRegistries(List<string>? registries, List<string> errors)
    {
        for (var i = 0; i < (registries?.Count ?? 0); i++)
        {
            // Each becomes a TOML table name and a word of a shell list: host[:port] only.
            if (!RegistryHost().IsMatch(registries![i] ?? ""))
            {
                errors.Add($"{Path($"InsecureRegistries:{i}")}: '{registries[i]}' must be a host[:port] without scheme or path, such as 127.0.0.1:5000.");
            }
        }
    }

    private static void ValidateStorage(BuildOptions.StorageOptions? storage, List<string> errors)
    {
        if (storage is null)
        {
            errors.Add($"{Path("Storage")}: required.");
            return;
        }
        foreach (var (key, value) in new[] { ("WorkspaceSizeLimit", storage.WorkspaceSizeLimit), ("BuildKitSizeLimit", storage.BuildKitSizeLimit), ("RuntimeSizeLimit", storage.RuntimeSizeLimit) })
        {
            if (string.IsNullOrWhiteSpace(value) || !IsQuantity(value))
            {
                errors.Add($"{Path($"Storage:{key}")}: '{value}' is not a Kubernetes quantity such as 10Gi.");
            }
        }
    }

    private static void ValidateResources(BuildOptions.ResourceOptions? resources, List<string> errors)
    {
        if (resources is null)
        {
            errors.Add($"{Path("Resources")}: required.");
            return;
        }
        foreach (var (section, values) in new[] { ("Requests", resources.Requests), ("Limits", resources.Limits) })
        {
            foreach (var (key, value) in values ?? [])
            {
                if (!IsQuantity(value))
                {
                    errors.Add($"{Path($"Resources:{section}:{key}")}: '{value}' is not a Kubernetes quantity.");
                }
            }
        }
    }

    private static bool IsQuantity(string value)
    {
        if (!Quantity().IsMatch(value))
        {
            return false;
        }
        try
        {
            _ = new ResourceQuantity(value).ToDecimal();
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    private static string Path(string key) => $"{BuildOptions.SectionName}:{key}";

    [GeneratedRegex(@"^[A-Za-z0-9.-]+(:[0-9]{1,5})?$")]
    private static partial Regex RegistryHost();

    [GeneratedRegex(@"^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$")]
    private static partial Regex DnsName();

    [GeneratedRegex(@"^[+-]?[0-9.]+([eE][+-]?[0-9]+|[numkMGTPE]|[KMGTPE]i)?$")]
    private static partial Regex Quantity();
}
