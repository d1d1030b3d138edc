using System.Text.RegularExpressions;

namespace ImageBuilder.Operator.Options;

/// <summary>Reports every problem of the Sources section at once, each with its configuration path.</summary>
public sealed partial class SourcesOptionsValidator : EveryProblemValidator<SourcesOptions>
{
    protected override void Check(SourcesOptions options, List<string> errors)
    {
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
    }

    [GeneratedRegex(@"^(\*\.)?([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$")]
    private static partial Regex HostPattern();
}
