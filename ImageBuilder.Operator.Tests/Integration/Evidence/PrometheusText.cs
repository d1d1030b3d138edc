using System.Globalization;

namespace ImageBuilder.Operator.Tests.Integration.Evidence;

/// <summary>Reads samples out of a Prometheus text exposition.</summary>
public static class PrometheusText
{
    /// <summary>The value of the sample written exactly as <paramref name="series"/> (name and labels), or 0 when absent.</summary>
    public static double Value(string exposition, string series)
    {
        ArgumentNullException.ThrowIfNull(exposition);
        foreach (var line in exposition.Split('\n'))
        {
            if (line.StartsWith(series + " ", StringComparison.Ordinal))
            {
                return double.Parse(line[(series.Length + 1)..].Trim(), CultureInfo.InvariantCulture);
            }
        }
        return 0;
    }

    /// <summary>
    /// <c>/metrics</c> of <paramref name="http"/> once every series in <paramref name="atLeast"/> has reached its
    /// value. A reconcile counts a build after its status write and its Events, so a test that has just seen the
    /// write may scrape a moment too early; the test then asserts the exact values on what this returns.
    /// </summary>
    public static Task<string> ScrapeOnceAsync(HttpClient http, IReadOnlyDictionary<string, double> atLeast)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(atLeast);
        return Eventually.ValueAsync(() => http.GetStringAsync(new Uri("/metrics", UriKind.Relative)),
            metrics => atLeast.All(s => Value(metrics, s.Key) >= s.Value), TimeSpan.FromSeconds(60),
            "/metrics to count " + string.Join(", ", atLeast.Select(s => $"{s.Key} >= {s.Value}")),
            metrics => string.Join(", ", atLeast.Select(s => $"{s.Key} = {Value(metrics, s.Key)}")));
    }
}
