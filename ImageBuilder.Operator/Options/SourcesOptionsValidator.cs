using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace ImageBuilder.Operator.Options;

/// <summary>Reports every problem of the Sources section at once, each with its configuration path.</summary>
public sealed partial class SourcesOptionsValidator : IValidateOptions<SourcesOptions>
{
    public ValidateOptionsResult Validate(string? name, SourcesOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        var hosts = options.Git?.AllowedHosts ?? [];
        for (var i = 0; i < hosts.Count; i++)
        {
            var host = hosts[i];
            // A scheme, port, path or credentials here would never match a URL's host: say so instead of ignoring it.
            if (string.IsNullOrWhiteSpace(host) || !(HostPattern().IsMatch(host) || System.Net.IPAddress.TryParse(host.Trim('[', ']'), out _)))
            {
                errors.Add($"{SourcesOptions.SectionName}:Git:AllowedHosts:{i} must be a host name, '*.' and a domain, or an IP address (got '{host}').");
            }
        }
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    [GeneratedRegex(@"^(\*\.)?([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$")]
    private static partial Regex HostPattern();
}
