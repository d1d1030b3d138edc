using System.Globalization;
using ImageBuilder.Operator.Api;
using ImageBuilder.Operator.Metrics;
using ImageBuilder.Operator.Reconciliation;
using k8s.Models;
using static ImageBuilder.Operator.Tests.Metrics.MetricsText;

namespace ImageBuilder.Operator.Tests.Metrics;

public sealed class AdmissionMetricsTests
{
    [Fact]
    public async Task StatusWritten_CancelledThenRepeat_CountsOnce()
    {
        var metrics = new OperatorMetrics();
        var build = new ImageBuild { Metadata = new V1ObjectMeta { Name = "b" } };
        var cancelled = new ImageBuildStatus { Phase = Phases.Cancelled };

        metrics.StatusWritten(build, new ImageBuildStatus { Phase = Phases.Queued }, cancelled);
        metrics.StatusWritten(build, cancelled, cancelled);

        Assert.Equal(1, Value(await ExportAsync(metrics), "imagebuilder_builds_cancelled_total"));
    }

    [Fact]
    public async Task TrackBuildSlots_AtScrape_QueuedAndRunningPerBucketWithoutUserIds()
    {
        var metrics = new OperatorMetrics();
        IReadOnlyList<string> running = ["user-18008", "user-18008", "user-42"];
        metrics.TrackBuildSlots(() => (running, 5));

        var text = await ExportAsync(metrics);

        Assert.Equal(5, Value(text, "imagebuilder_builds_queued"));
        var bucket = UserBuckets.Label(UserBuckets.Of("user-18008"));
        Assert.True(Value(text, $"imagebuilder_builds_running{{user_bucket=\"{bucket}\"}}") >= 2);
        // Every bucket is exported (zeros too): the series are the fixed set, whatever the users.
        Assert.Equal(UserBuckets.Count, text.Split('\n').Count(l => l.StartsWith("imagebuilder_builds_running{", StringComparison.Ordinal)));
        Assert.Equal(3, text.Split('\n').Where(l => l.StartsWith("imagebuilder_builds_running{", StringComparison.Ordinal))
            .Sum(l => double.Parse(l[(l.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture)));
        Assert.DoesNotContain("18008", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task QueueWaitObserved_Histogram()
    {
        var metrics = new OperatorMetrics();

        metrics.QueueWaitObserved(TimeSpan.Zero);
        metrics.QueueWaitObserved(TimeSpan.FromSeconds(12));
        var text = await ExportAsync(metrics);

        Assert.Equal(2, Value(text, "imagebuilder_queue_wait_seconds_count"));
        Assert.Equal(12, Value(text, "imagebuilder_queue_wait_seconds_sum"));
    }

    [Fact]
    public void UserBuckets_SameIdSameBucket_AndWithinRange()
    {
        Assert.Equal(UserBuckets.Of("18008"), UserBuckets.Of("18008"));
        Assert.All(Enumerable.Range(0, 200).Select(i => UserBuckets.Of(i.ToString(CultureInfo.InvariantCulture))), b => Assert.InRange(b, 0, UserBuckets.Count - 1));
    }
}
