using System.Globalization;
using ImageBuilder.Operator.Metrics;

namespace ImageBuilder.Operator.Tests.Metrics;

/// <summary>Reads the operator's metrics as Prometheus scrapes them: the text exposition, and one series' value in it.</summary>
internal static class MetricsText
{
    public static async Task<string> ExportAsync(OperatorMetrics metrics)
    {
        using var stream = new MemoryStream();
        await metrics.Registry.CollectAndExportAsTextAsync(stream);
        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>The value of <paramref name="series"/> (name with its labels, as exported), 0 when it is absent.</summary>
    public static double Value(string text, string series) =>
        text.Split('\n').Where(l => l.StartsWith(series + " ", StringComparison.Ordinal))
            .Select(l => double.Parse(l[(series.Length + 1)..], CultureInfo.InvariantCulture)).SingleOrDefault();
}
