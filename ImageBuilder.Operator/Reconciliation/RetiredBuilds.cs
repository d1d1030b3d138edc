using System.Globalization;
using System.Net;
using ImageBuilder.Operator.Api;
using ImageBuilder.Operator.Options;
using k8s.Autorest;
using Microsoft.Extensions.Options;

namespace ImageBuilder.Operator.Reconciliation;

/// <summary>
/// The names of ImageBuilds the bridge made that retention deleted, remembered for <see cref="RetentionOptions.RememberDeleted"/>
/// in one ConfigMap per namespace (<see cref="ConfigMapName"/>: name → until when). The bridge dedupes a redelivered
/// request by its deterministic ImageBuild name (<c>Requests/BuildNaming</c>): with the object gone, the name alone
/// would be free again and the request built (and announced) a second time. Written before the ImageBuild is deleted,
/// and read by the bridge live or from a watched copy where that is safe (<see cref="RetiredNamesCache"/>), so there is no moment when neither is seen.
/// </summary>
public sealed class RetiredBuilds(OperatorConfigMaps maps, TimeProvider time, IOptions<RetentionOptions> options)
{
    public const string ConfigMapName = "image-builder-retired";

    // A ConfigMap holds at most 1 MiB; at about 50 bytes an entry this keeps far below it.
    private const int MaxEntries = 15000;
    private const int MaxWriteAttempts = 8;

    /// <summary>True when retention may delete ImageBuilds, so the bridge has to look here.</summary>
    public bool Enabled => options.Value.Enabled;

    /// <summary>Remembers <paramref name="build"/>'s name; call before deleting it.</summary>
    public async Task RememberAsync(ImageBuild build, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(build);
        var ns = build.Metadata.NamespaceProperty;
        var until = time.GetUtcNow() + options.Value.RememberDeleted;
        for (var attempt = 1; ; attempt++)
        {
            var map = await maps.ReadAsync(ns, ConfigMapName, cancellationToken);
            var data = Live(map?.Data, time.GetUtcNow())
                .OrderByDescending(e => e.Until).Take(MaxEntries - 1)
                .ToDictionary(e => e.Name, e => Format(e.Until), StringComparer.Ordinal);
            data[build.Metadata.Name] = Format(until);
            try
            {
                // With the read resourceVersion: a concurrent write fails with 409 instead of dropping an entry.
                await maps.WriteAsync(ns, ConfigMapName, map, data, cancellationToken);
                return;
            }
            catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Conflict && attempt < MaxWriteAttempts)
            {
                // Another deletion wrote first: read again.
            }
        }
    }

    /// <summary>The names still remembered in <paramref name="ns"/>, read live.</summary>
    public async Task<IReadOnlySet<string>> ReadAsync(string ns, CancellationToken cancellationToken)
    {
        var map = await maps.ReadAsync(ns, ConfigMapName, cancellationToken);
        return Live(map?.Data, time.GetUtcNow()).Select(e => e.Name).ToHashSet(StringComparer.Ordinal);
    }

    private static IEnumerable<(string Name, DateTimeOffset Until)> Live(IDictionary<string, string>? data, DateTimeOffset now) =>
        Entries(data).Where(e => e.Until > now);

    /// <summary>Every entry that parses, expired or not (<see cref="RetiredNamesView"/> expires them as time passes).</summary>
    internal static IEnumerable<(string Name, DateTimeOffset Until)> Entries(IDictionary<string, string>? data)
    {
        foreach (var (name, value) in data ?? new Dictionary<string, string>())
        {
            if (RequestOrder.TryParse(value, out var until))
            {
                yield return (name, until);
            }
        }
    }

    private static string Format(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

}
