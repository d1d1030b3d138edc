using ScottPlot;

namespace ImageBuilder.Bench;

/// <summary>bench/results/scaling.png: the operator's RSS and reconcile p99 against the number of ImageBuilds present.</summary>
public static class ScalingPlot
{
    public static void Write(IReadOnlyList<Dictionary<string, double>> points, string path, string subtitle)
    {
        var n = points.Select(p => p["n"]).ToArray();
        var plot = new Plot();
        var rss = plot.Add.Scatter(n, points.Select(p => p["rss_mb"]).ToArray());
        rss.LegendText = "operator RSS (MiB, left)";
        rss.MarkerSize = 8;
        rss.LineWidth = 2;
        var p99 = plot.Add.Scatter(n, points.Select(p => p["reconcile_p99_ms"]).ToArray());
        p99.LegendText = "reconcile p99, created → Job (ms, right)";
        p99.MarkerSize = 8;
        p99.LineWidth = 2;
        p99.LinePattern = LinePattern.Dashed;
        p99.Axes.YAxis = plot.Axes.Right;
        plot.Axes.Left.Label.Text = "RSS (MiB)";
        plot.Axes.Right.Label.Text = "reconcile p99 (ms)";
        plot.Axes.Bottom.Label.Text = "ImageBuilds present";
        plot.Title($"How cost grows with the number of ImageBuilds\n{subtitle}");
        // Goals of issue 11, as reference lines: RSS ≤ 150 MiB at 5,000 and ≤ 200 MiB at 20,000; p99 ≤ 200 ms.
        var rssGoal = plot.Add.HorizontalLine(200);
        rssGoal.LinePattern = LinePattern.Dotted;
        rssGoal.Color = rss.Color;
        rssGoal.LegendText = "RSS goal at 20,000 (200 MiB)";
        var p99Goal = plot.Add.HorizontalLine(200);
        p99Goal.Axes.YAxis = plot.Axes.Right;
        p99Goal.LinePattern = LinePattern.Dotted;
        p99Goal.Color = p99.Color;
        p99Goal.LegendText = "p99 goal (200 ms)";
        plot.Axes.SetLimitsY(0, Math.Max(250, points.Max(p => p["rss_mb"]) * 1.15), plot.Axes.Left);
        plot.Axes.SetLimitsY(0, Math.Max(250, points.Max(p => p["reconcile_p99_ms"]) * 1.15), plot.Axes.Right);
        plot.Axes.SetLimitsX(0, n.Max() * 1.05);
        plot.ShowLegend(Alignment.UpperLeft);
        plot.SavePng(path, 900, 560);
    }
}
