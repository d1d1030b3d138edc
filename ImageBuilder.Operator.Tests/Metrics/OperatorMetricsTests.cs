using ImageBuilder.Operator.Api;
using ImageBuilder.Operator.Controllers;
using ImageBuilder.Operator.Metrics;
using ImageBuilder.Operator.Reconciliation;
using k8s.Models;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using static ImageBuilder.Operator.Tests.Metrics.MetricsText;

namespace ImageBuilder.Operator.Tests.Metrics;

public sealed class OperatorMetricsTests
{
    [Fact]
    public async Task StatusWritten_EndingWriteThenRepeat_CountsOnce()
    {
        var metrics = new OperatorMetrics();
        var build = new ImageBuild { Metadata = new V1ObjectMeta { CreationTimestamp = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc) } };
        var succeeded = new ImageBuildStatus
        {
            Phase = Phases.Succeeded,
            CompletionTime = new DateTime(2026, 1, 1, 0, 0, 7, DateTimeKind.Utc),
            Conditions = [new V1Condition { Type = ConditionTypes.Ready, Status = "True", Reason = Reasons.BuildSucceeded }],
        };

        metrics.StatusWritten(build, new ImageBuildStatus { Phase = Phases.Building }, succeeded);
        metrics.StatusWritten(build, succeeded, succeeded);
        var text = await ExportAsync(metrics);

        Assert.Equal(1, Value(text, """imagebuilder_builds_total{outcome="succeeded",fault="none"}"""));
        Assert.Equal(7, Value(text, """imagebuilder_build_duration_seconds_sum{outcome="succeeded"}"""));
    }

    [Fact]
    public async Task StatusWritten_Superseded_CountedOnceByReason()
    {
        var metrics = new OperatorMetrics();
        var build = new ImageBuild();
        ImageBuildStatus Superseded(string reason) => new()
        {
            Phase = Phases.Superseded,
            Conditions = [new V1Condition { Type = ConditionTypes.Ready, Status = "False", Reason = reason }],
        };

        metrics.StatusWritten(build, new ImageBuildStatus { Phase = Phases.Building }, Superseded(Reasons.Superseded));
        metrics.StatusWritten(build, Superseded(Reasons.Superseded), Superseded(Reasons.Superseded));
        metrics.StatusWritten(build, new ImageBuildStatus { Phase = Phases.Succeeded }, Superseded(Reasons.NewerBuildAnnounced));
        var text = await ExportAsync(metrics);

        Assert.Equal(1, Value(text, """imagebuilder_builds_superseded_total{reason="newer_request"}"""));
        Assert.Equal(1, Value(text, """imagebuilder_builds_superseded_total{reason="newer_announced"}"""));
    }

    [Fact]
    public async Task MessageConsumedAndRetryScheduled_Counted_ByLabel()
    {
        var metrics = new OperatorMetrics();

        metrics.MessageConsumed(MetricLabels.Created);
        metrics.MessageConsumed(MetricLabels.Created);
        metrics.MessageConsumed(MetricLabels.Rejected);
        metrics.RetryScheduled(new BuildFailure { Fault = Faults.Service });
        var text = await ExportAsync(metrics);

        Assert.Equal(2, Value(text, """imagebuilder_bridge_messages_total{result="created"}"""));
        Assert.Equal(1, Value(text, """imagebuilder_bridge_messages_total{result="rejected"}"""));
        Assert.Equal(1, Value(text, """imagebuilder_retries_scheduled_total{fault="service"}"""));
    }

    [Theory]
    [InlineData("""imagebuilder_builds_total{outcome="succeeded",fault="none"}""")]
    [InlineData("""imagebuilder_builds_total{outcome="cache_hit",fault="none"}""")]
    [InlineData("""imagebuilder_builds_total{outcome="failed",fault="user"}""")]
    [InlineData("""imagebuilder_builds_total{outcome="failed",fault="service"}""")]
    [InlineData("""imagebuilder_build_duration_seconds_count{outcome="failed"}""")]
    [InlineData("""imagebuilder_bridge_messages_total{result="created"}""")]
    [InlineData("""imagebuilder_bridge_messages_total{result="requeued"}""")]
    [InlineData("""imagebuilder_retries_scheduled_total{fault="service"}""")]
    public async Task New_NothingCountedYet_KnownSeriesExportedAtZero(string series)
    {
        var text = await ExportAsync(new OperatorMetrics());

        // Present at 0, so Prometheus' increase() sees the first event.
        Assert.Contains(series + " 0\n", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(true, 1)]
    [InlineData(false, 0)]
    public async Task Leader_AtScrape_FollowsLeaderStatus(bool leading, double expected)
    {
        var text = await ExportAsync(new OperatorMetrics(new FixedLeader(leading)));

        Assert.Equal(expected, Value(text, "imagebuilder_leader"));
    }

    [Fact]
    public async Task TrackImageBuilds_AtScrape_ExportsCountAndOldestWaitByPhase()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 12, 0, 0, TimeSpan.Zero));
        var metrics = new OperatorMetrics();
        IReadOnlyCollection<ImageBuild> builds =
        [
            BuildPhaseClockTests.Build("a", Phases.Pending, created: time.GetUtcNow().AddMinutes(-7)),
            BuildPhaseClockTests.Build("b", Phases.Succeeded),
        ];
        metrics.TrackImageBuilds(() => builds, time);

        var text = await ExportAsync(metrics);

        Assert.Equal(1, Value(text, """imagebuilder_imagebuilds{phase="Pending"}"""));
        Assert.Equal(1, Value(text, """imagebuilder_imagebuilds{phase="Succeeded"}"""));
        Assert.Contains("""imagebuilder_imagebuilds{phase="Building"} 0""", text, StringComparison.Ordinal);
        Assert.Equal(420, Value(text, """imagebuilder_imagebuild_phase_oldest_seconds{phase="Pending"}"""));
        Assert.Contains("""imagebuilder_imagebuild_phase_oldest_seconds{phase="Retrying"} 0""", text, StringComparison.Ordinal);
        Assert.DoesNotContain("""imagebuilder_imagebuild_phase_oldest_seconds{phase="Succeeded"}""", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TrackImageBuilds_CacheNotSynced_ExportsNoPhaseSeries()
    {
        var metrics = new OperatorMetrics();
        metrics.TrackImageBuilds(() => null, new FakeTimeProvider());

        var text = await ExportAsync(metrics);

        Assert.DoesNotContain("imagebuilder_imagebuilds{", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MeasureReconcileAsync_FailedResultAndException_BothCountedAsErrors()
    {
        var metrics = new OperatorMetrics();
        var time = new FakeTimeProvider();

        await metrics.MeasureReconcileAsync(() => Task.FromResult(ReconcileResult.Failed("no")), time);
        await Assert.ThrowsAsync<InvalidOperationException>(() => metrics.MeasureReconcileAsync(() => throw new InvalidOperationException("boom"), time));
        await metrics.MeasureReconcileAsync(() => Task.FromResult(ReconcileResult.Done()), time);
        var text = await ExportAsync(metrics);

        Assert.Equal(2, Value(text, "imagebuilder_reconcile_errors_total"));
        Assert.Equal(3, Value(text, "imagebuilder_reconcile_duration_seconds_count"));
    }

    [Fact]
    public async Task AddOperatorMetrics_WithTracking_OneInstanceWithTheTrackedGauges()
    {
        var services = new ServiceCollection();
        services.AddOperatorMetrics((_, metrics) => metrics.TrackBuildQueueDepth(_ => Task.FromResult<uint?>(3)));
        // A later registration (a role's own, say) does not replace the composition root's.
        services.AddOperatorMetrics();
        using var provider = services.BuildServiceProvider();

        var metrics = provider.GetRequiredService<OperatorMetrics>();

        Assert.Same(metrics, provider.GetRequiredService<OperatorMetrics>());
        Assert.Equal(3, Value(await ExportAsync(metrics), "imagebuilder_build_queue_messages"));
    }

    private sealed class FixedLeader(bool leading) : ILeaderStatus
    {
        public bool IsLeader => leading;
    }


}
