using ImageBuilder.Operator.Api;
using ImageBuilder.Operator.Controllers;
using Prometheus;

namespace ImageBuilder.Operator.Metrics;

/// <summary>
/// The operator's Prometheus metrics, in a registry of their own per host (not prometheus-net's static
/// default), so two operators in one process (tests, benchmarks) never mix their counts.
/// </summary>
public sealed class OperatorMetrics
{
    private static readonly double[] BuildBuckets = [1, 2, 5, 10, 20, 30, 60, 120, 300, 600, 1200, 1800, 3600];
    private static readonly double[] QueueWaitBuckets = [0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300, 600, 1200, 1800, 3600, 7200];
    private static readonly double[] ReconcileBuckets = Histogram.ExponentialBuckets(0.001, 2, 15);

    private readonly Counter _builds;
    private readonly Histogram _buildDuration;
    private readonly Counter _messages;
    private readonly Counter _retries;
    private readonly Counter _superseded;
    private readonly Counter _reconcileErrors;
    private readonly Histogram _reconcileDuration;
    private readonly Counter _cancelled;
    private readonly Histogram _queueWait;

    public OperatorMetrics(ILeaderStatus? leader = null)
    {
        Registry = Prometheus.Metrics.NewCustomRegistry();
        var factory = Prometheus.Metrics.WithCustomRegistry(Registry);
        _builds = factory.CreateCounter("imagebuilder_builds_total", "Builds that reached a terminal phase, by outcome and fault.", "outcome", "fault");
        _buildDuration = factory.CreateHistogram(
            "imagebuilder_build_duration_seconds", "From ImageBuild creation to its terminal phase, by outcome.",
            new HistogramConfiguration { LabelNames = ["outcome"], Buckets = BuildBuckets });
        _messages = factory.CreateCounter("imagebuilder_bridge_messages_total", "Build-queue deliveries the bridge handled, by result.", "result");
        _superseded = factory.CreateCounter(
            "imagebuilder_builds_superseded_total", "Builds that ended Superseded (nobody notified), by reason: a newer request, or a newer build announced first.", "reason");
        _retries = factory.CreateCounter("imagebuilder_retries_scheduled_total", "Retries handed to the retry scheduler, by fault.", "fault");
        _reconcileErrors = factory.CreateCounter("imagebuilder_reconcile_errors_total", "Reconciles that failed (an error result or an exception).");
        _reconcileDuration = factory.CreateHistogram(
            "imagebuilder_reconcile_duration_seconds", "Time of one reconcile of one ImageBuild.",
            new HistogramConfiguration { Buckets = ReconcileBuckets });
        _cancelled = factory.CreateCounter("imagebuilder_builds_cancelled_total", "Builds ended by the cancel annotation.");
        _queueWait = factory.CreateHistogram(
            "imagebuilder_queue_wait_seconds", "How long a build waited for a build slot (phase Queued) before its Job was made; 0 when a slot was free.",
            new HistogramConfiguration { Buckets = QueueWaitBuckets });
        StartKnownSeriesAtZero();
        var leading = factory.CreateGauge("imagebuilder_leader", "1 while this replica holds the controller Lease, else 0.");
        if (leader is not null)
        {
            Registry.AddBeforeCollectCallback(() => leading.Set(leader.IsLeader ? 1 : 0));
        }
        // Process and runtime figures (resident memory among them) without the static default registry.
        DotNetStats.Register(Registry);
    }

    // A series born at 1 has no increase in Prometheus (no earlier sample): every label set the operator can
    // count is exported at 0 from the start, so rate() and increase() (and the alerts on them) see the first event.
    private void StartKnownSeriesAtZero()
    {
        foreach (var (outcome, fault) in new[]
        {
            (MetricLabels.Succeeded, MetricLabels.NoFault), (MetricLabels.CacheHit, MetricLabels.NoFault),
            (MetricLabels.Failed, Faults.User), (MetricLabels.Failed, Faults.Service),
        })
        {
            _builds.WithLabels(outcome, fault);
            _buildDuration.WithLabels(outcome);
        }
        foreach (var result in new[] { MetricLabels.Created, MetricLabels.Duplicate, MetricLabels.Rejected, MetricLabels.Requeued })
        {
            _messages.WithLabels(result);
        }
        _retries.WithLabels(Faults.User);
        _retries.WithLabels(Faults.Service);
        _superseded.WithLabels(MetricLabels.NewerRequest);
        _superseded.WithLabels(MetricLabels.NewerAnnounced);
    }

    /// <summary>Exports the build queue's ready messages (the bridge's lag) as read by <paramref name="read"/> at each scrape.</summary>
    public void TrackBuildQueueDepth(Func<CancellationToken, Task<uint?>> read)
    {
        ArgumentNullException.ThrowIfNull(read);
        var depth = Prometheus.Metrics.WithCustomRegistry(Registry)
            .CreateGauge("imagebuilder_build_queue_messages", "Messages ready on the build queue (consumer lag); the last answer when the broker does not answer.");
        Registry.AddBeforeCollectCallback(async cancellationToken =>
        {
            if (await read(cancellationToken) is { } messages)
            {
                depth.Set(messages);
            }
        });
    }

    /// <summary>
    /// Exports, at each scrape, the ImageBuilds <paramref name="list"/> returns (null until the informer has synced: the
    /// gauges then keep their last values) counted by phase, and how long the oldest of each unfinished phase has been in it.
    /// </summary>
    public void TrackImageBuilds(Func<IReadOnlyCollection<ImageBuild>?> list, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(list);
        var clock = new BuildPhaseClock(time);
        var factory = Prometheus.Metrics.WithCustomRegistry(Registry);
        var builds = factory.CreateGauge("imagebuilder_imagebuilds", "ImageBuilds in the operator's cache, by phase (a build without a status counts as Pending).", "phase");
        var oldest = factory.CreateGauge(
            "imagebuilder_imagebuild_phase_oldest_seconds",
            "How long the longest-waiting ImageBuild of an unfinished phase has been in it, as this replica saw it; 0 when none is.", "phase");
        Registry.AddBeforeCollectCallback(() =>
        {
            if (list() is not { } current)
            {
                return;
            }
            foreach (var (phase, figures) in clock.Observe(current))
            {
                builds.WithLabels(phase).Set(figures.Count);
                if (phase is not (Phases.Succeeded or Phases.Failed or Phases.Cancelled))
                {
                    oldest.WithLabels(phase).Set(figures.OldestSeconds);
                }
            }
        });
    }

    /// <summary>
    /// Exports, at each scrape, the builds waiting for a build slot and the slots in use per user bucket, as
    /// <paramref name="read"/> returns them (null until the caches have synced: the gauges keep their last values).
    /// </summary>
    public void TrackBuildSlots(Func<(IReadOnlyList<string> Running, int Queued)?> read)
    {
        ArgumentNullException.ThrowIfNull(read);
        var factory = Prometheus.Metrics.WithCustomRegistry(Registry);
        var queued = factory.CreateGauge("imagebuilder_builds_queued", "ImageBuilds waiting for a build slot (phase Queued).");
        var running = factory.CreateGauge(
            "imagebuilder_builds_running", "Unfinished build Jobs (slots in use), by user bucket: a stable hash of the userID into a fixed number of buckets, never the userID itself.",
            "user_bucket");
        Registry.AddBeforeCollectCallback(() =>
        {
            if (read() is not { } current)
            {
                return;
            }
            queued.Set(current.Queued);
            var counts = new int[UserBuckets.Count];
            foreach (var user in current.Running)
            {
                counts[UserBuckets.Of(user)]++;
            }
            for (var i = 0; i < counts.Length; i++)
            {
                running.WithLabels(UserBuckets.Label(i)).Set(counts[i]);
            }
        });
    }

    /// <summary>One build's wait for a slot, observed once when its Job is made.</summary>
    public void QueueWaitObserved(TimeSpan waited) => _queueWait.Observe(Math.Max(0, waited.TotalSeconds));

    /// <summary>What <c>/metrics</c> exports.</summary>
    public CollectorRegistry Registry { get; }

    /// <summary>Counts a build ended by the cancel annotation; once per build, as the caller decides.</summary>
    public void BuildCancelled() => _cancelled.Inc();

    /// <summary>Counts a build that ended Superseded; <paramref name="reason"/> is <see cref="MetricLabels.NewerRequest"/> or <see cref="MetricLabels.NewerAnnounced"/>.</summary>
    public void BuildSuperseded(string reason) => _superseded.WithLabels(reason).Inc();

    /// <summary>Counts a build that reached a terminal phase, and its time from creation when known.</summary>
    public void BuildFinished(BuildCompletion completion)
    {
        ArgumentNullException.ThrowIfNull(completion);
        _builds.WithLabels(completion.Outcome, completion.Fault).Inc();
        if (completion.Duration is { } duration)
        {
            _buildDuration.WithLabels(completion.Outcome).Observe(duration.TotalSeconds);
        }
    }

    /// <summary>Counts one bridge delivery; <paramref name="result"/> is one of the message results in <see cref="MetricLabels"/>.</summary>
    public void MessageConsumed(string result) => _messages.WithLabels(result).Inc();

    public void RetryScheduled(BuildFailure failure)
    {
        ArgumentNullException.ThrowIfNull(failure);
        _retries.WithLabels(failure.Fault).Inc();
    }

    /// <summary>Runs one reconcile and records its time, and an error when it fails or throws.</summary>
    public async Task<ReconcileResult> MeasureReconcileAsync(Func<Task<ReconcileResult>> reconcile, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(reconcile);
        ArgumentNullException.ThrowIfNull(time);
        var started = time.GetTimestamp();
        var failed = true;
        try
        {
            var result = await reconcile();
            failed = !result.Succeeded;
            return result;
        }
        finally
        {
            ReconcileFinished(time.GetElapsedTime(started), failed);
        }
    }

    public void ReconcileFinished(TimeSpan duration, bool failed)
    {
        _reconcileDuration.Observe(duration.TotalSeconds);
        if (failed)
        {
            _reconcileErrors.Inc();
        }
    }
}
