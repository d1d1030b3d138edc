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
}
