using System.Text.RegularExpressions;
using k8s.Models;
using Microsoft.Extensions.Options;

namespace ImageBuilder.Operator.Options;

/// <summary>Checks <see cref="BuildOptions"/> and reports every problem at once, each with its path.</summary>
public sealed partial class BuildOptionsValidator : IValidateOptions<BuildOptions>
{
    private static readonly string[] PullPolicies = ["Always", "IfNotPresent", "Never"];
    private static readonly string[] Placeholders = ["{registry}", "{userID}", "{applicationID}"];

    public ValidateOptionsResult Validate(string? name, BuildOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        ValidateStrategy(options, errors);
        ValidateTimes(options, errors);
        ValidateRegistry(options, errors);
        ValidateTemplate(options.ImageNameTemplate, errors);
        ValidateImages(options.Images, errors);
        ValidateResources(options.Resources, errors);
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static void ValidateStrategy(BuildOptions options, List<string> errors)
    {
        if (options.Strategy is not (BuildOptions.StrategyNames.BuildKit or BuildOptions.StrategyNames.Docker))
        {
            errors.Add($"{Path("Strategy")}: '{options.Strategy}' is not a strategy; use '{BuildOptions.StrategyNames.BuildKit}' or '{BuildOptions.StrategyNames.Docker}'.");
        }
        if (options.DockerBuildNetwork?.Any(char.IsWhiteSpace) == true)
        {
            errors.Add($"{Path("DockerBuildNetwork")}: '{options.DockerBuildNetwork}' is not a network name.");
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
        foreach (var (key, value) in new[] { ("Fetch", images.Fetch), ("Nixpacks", images.Nixpacks), ("BuildKit", images.BuildKit), ("DockerBuilder", images.DockerBuilder) })
        {
            if (string.IsNullOrWhiteSpace(value) || value.Any(char.IsWhiteSpace))
            {
                errors.Add($"{Path("Images:" + key)}: '{value}' is not an image reference.");
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
