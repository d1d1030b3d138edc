using System.Text.RegularExpressions;
using ImageBuilder.Operator.Api;
using ImageBuilder.Operator.Options;

namespace ImageBuilder.Operator.Reconciliation;

/// <summary>
/// Which finished ImageBuilds retention deletes (issue 12, point 6), as pure functions: a build is deleted once its
/// time to live after finishing has passed, or when newer finished builds of its application with the same outcome
/// (Succeeded, or any other end) fill its limit. Each build's own <c>spec.retention</c> overrides the operator's values
/// for that build. Only settled builds go: terminal, and notified unless their phase is never notified.
/// </summary>
public sealed partial record RetentionPolicy(TimeSpan TtlAfterSucceeded, TimeSpan TtlAfterFailed, int SucceededLimit, int FailedLimit)
{
    /// <summary>Why a build is deleted, for the log.</summary>
    public const string ByTtl = "ttl";
    public const string ByLimit = "limit";

    /// <summary>The operator's values with the build's overrides; <paramref name="invalid"/> names an override that cannot be read (the operator's value applies).</summary>
    public static RetentionPolicy For(RetentionSpec? spec, RetentionOptions options, out (string Field, string Value)? invalid)
    {
        ArgumentNullException.ThrowIfNull(options);
        invalid = null;
        var succeeded = options.TtlAfterSucceeded;
        var failed = options.TtlAfterFailed;
        if (spec?.TtlAfterSucceeded is { Length: > 0 } s)
        {
            if (ParseDuration(s) is { } ttl) { succeeded = ttl; } else { invalid = ("ttlAfterSucceeded", s); }
        }
        if (spec?.TtlAfterFailed is { Length: > 0 } f)
        {
            if (ParseDuration(f) is { } ttl) { failed = ttl; } else { invalid = ("ttlAfterFailed", f); }
        }
        return new RetentionPolicy(succeeded, failed, spec?.SucceededLimit ?? options.SucceededLimit, spec?.FailedLimit ?? options.FailedLimit);
    }

    /// <summary>A Go-style duration as the CRD admits it (<c>90s</c>, <c>1h30m</c>); null when it does not parse or exceeds ten years.</summary>
    public static TimeSpan? ParseDuration(string text)
    {
        if (string.IsNullOrEmpty(text) || !DurationPattern().IsMatch(text))
        {
            return null;
        }
        var total = TimeSpan.Zero;
        foreach (Match part in DurationPart().Matches(text))
        {
            if (!long.TryParse(part.Groups[1].Value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var value) || value > 10L * 366 * 24 * 3600)
            {
                return null;
            }
            total += part.Groups[2].Value switch { "h" => TimeSpan.FromHours(value), "m" => TimeSpan.FromMinutes(value), _ => TimeSpan.FromSeconds(value) };
            if (total > TimeSpan.FromDays(3660))
            {
                return null;
            }
        }
        return total;
    }

    /// <summary>True for a terminal build whose notification (if it has one) is confirmed: nothing more will happen to it.</summary>
    public static bool IsSettled(ImageBuildStatus? status) =>
        status is not null && Phases.IsTerminal(status.Phase) && (Phases.IsSilent(status.Phase) || status.Notification is not null);

    /// <summary>When the build's time to live ends, or null while it has no completion time.</summary>
    public DateTimeOffset? ExpiresAt(ImageBuildStatus status)
    {
        ArgumentNullException.ThrowIfNull(status);
        return status.CompletionTime is { } done
            ? new DateTimeOffset(DateTime.SpecifyKind(done, DateTimeKind.Utc)) + (status.Phase == Phases.Succeeded ? TtlAfterSucceeded : TtlAfterFailed)
            : null;
    }

    /// <summary>
    /// The settled builds of one application to delete now, with why; <paramref name="policyOf"/> gives each build's
    /// policy. Limits rank the finished builds of each outcome by request order, newest first.
    /// </summary>
    public static IReadOnlyList<(ImageBuild Build, string Why)> Doomed(IReadOnlyCollection<ImageBuild> application, Func<ImageBuild, RetentionPolicy> policyOf, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(application);
        ArgumentNullException.ThrowIfNull(policyOf);
        var doomed = new List<(ImageBuild, string)>();
        foreach (var group in application.Where(b => Phases.IsTerminal(b.Status?.Phase)).GroupBy(b => b.Status!.Phase == Phases.Succeeded))
        {
            var rank = 0;
            foreach (var build in group.OrderByDescending(RequestOrder.Of))
            {
                rank++;
                if (!IsSettled(build.Status))
                {
                    continue;
                }
                var policy = policyOf(build);
                if (policy.ExpiresAt(build.Status!) is { } expires && now >= expires)
                {
                    doomed.Add((build, ByTtl));
                }
                else if (rank > (group.Key ? policy.SucceededLimit : policy.FailedLimit))
                {
                    doomed.Add((build, ByLimit));
                }
            }
        }
        return doomed;
    }

    [GeneratedRegex("^([0-9]+(s|m|h))+$", RegexOptions.CultureInvariant)]
    private static partial Regex DurationPattern();

    [GeneratedRegex("([0-9]+)(s|m|h)", RegexOptions.CultureInvariant)]
    private static partial Regex DurationPart();
}
