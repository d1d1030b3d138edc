using System.Net;
using ImageBuilder.Operator.Api;
using ImageBuilder.Operator.Controllers;
using ImageBuilder.Operator.Metrics;
using ImageBuilder.Operator.Options;
using ImageBuilder.Operator.Reconciliation;
using ImageBuilder.Operator.Reconciliation.Steps;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using MsOptions = Microsoft.Extensions.Options.Options;

namespace ImageBuilder.Operator.Tests.Reconciliation;

/// <summary>The status write and the Events of one reconcile, against in-memory objects: the order, and nothing twice.</summary>
public sealed class ImageBuildReconcilerTests
{
    private static readonly ObjectKey Key = new("team", "app");
    private readonly List<string> _journal = [];
    private readonly InMemoryObjects<ImageBuild> _api;
    private readonly InMemoryObjects<Corev1Event> _events;
    private readonly InMemoryObjects<ImageBuild> _cache = new();

    public ImageBuildReconcilerTests()
    {
        _api = new() { Journal = _journal };
        _events = new() { Journal = _journal };
    }

    /// <summary>A step doing what the test says; by default it moves a Pending build to Building once, with an Event, as EnsureJobStep does (and under its name, which the lifecycle table allows that move).</summary>
    private sealed class Step(Action<ReconcileContext> act) : IReconcileStep
    {
        public static void Start(ReconcileContext context)
        {
            if (context.Status.Phase == Phases.Pending)
            {
                context.MoveTo(Phases.Building, Reasons.BuildStarted, "Attempt 1 started.");
                context.Event(Reasons.BuildStarted, "Attempt 1 started.");
            }
        }

        public Task<StepResult> RunAsync(ReconcileContext context, CancellationToken cancellationToken)
        {
            act(context);
            return Task.FromResult(StepResult.Continue());
        }
    }

    private sealed class OneStep(IReconcileStep step) : IBuildSteps
    {
        public IReadOnlyList<IReconcileStep> ForOneReconcile() => [step];
    }

    private ImageBuildReconciler Reconciler(Action<ReconcileContext>? act = null)
    {
        var time = new FakeTimeProvider(Builds.Now);
        var runner = new StepRunner(
            new ReconcileErrors(new BuildOutcomes(new RecordingRetryScheduler(), MsOptions.Create(new RetryOptions())), MsOptions.Create(new ReconcileOptions())),
            NullLogger<StepRunner>.Instance);
        return new ImageBuildReconciler(new ImageBuildStore(_api, _api, _cache), runner, new BuildEvents(_events, time, NullLogger<BuildEvents>.Instance),
            time, NullLogger<ImageBuildReconciler>.Instance, new OneStep(new NamedStep(StepRunner.StepName(typeof(EnsureJobStep)), new Step(act ?? Step.Start).RunAsync)), new OperatorMetrics());
    }

    private ImageBuild Stored(string phase)
    {
        var build = Builds.New();
        build.Metadata.ResourceVersion = "10";
        build.Status = new ImageBuildStatus { Phase = phase, ObservedGeneration = 1 };
        _api.With(build);
        _cache.With(build);
        return build;
    }

    [Fact]
    public async Task Reconcile_StateChanged_WritesTheStatusThenRecordsItsEvents()
    {
        Stored(Phases.Pending);

        await Reconciler().ReconcileAsync(Key, CancellationToken.None);

        Assert.Equal(2, _journal.Count);
        Assert.Equal("ReplaceStatusAsync team/app", _journal[0]);
        Assert.StartsWith("CreateAsync team/app.", _journal[1], StringComparison.Ordinal);
        Assert.Equal(Reasons.BuildStarted, Assert.Single(_events.Created).Reason);
    }

    [Fact]
    public async Task Reconcile_AfterItsOwnWrite_NoSecondWriteAndNoSecondEvent()
    {
        Stored(Phases.Pending);
        var reconciler = Reconciler();
        await reconciler.ReconcileAsync(Key, CancellationToken.None);
        _cache.With(_api.Get(Key)!); // the watch brings the written status

        await reconciler.ReconcileAsync(Key, CancellationToken.None);

        Assert.Single(_api.StatusWrites);
        Assert.Single(_events.Created);
    }

    [Fact]
    public async Task Reconcile_NothingChanged_WritesNothingAndRecordsNoEvent()
    {
        Stored(Phases.Building);

        await Reconciler().ReconcileAsync(Key, CancellationToken.None);

        Assert.Empty(_journal);
    }

    [Fact]
    public async Task Reconcile_StatusWriteConflicts_RecordsNoEventAndLetsTheQueueRetry()
    {
        // The Events describe the written state: a lost write must not announce it (the retry announces it once).
        Stored(Phases.Pending);
        _api.FailNext(nameof(InMemoryObjects<ImageBuild>.ReplaceStatusAsync), ApiErrors.Status(HttpStatusCode.Conflict));

        var error = await Assert.ThrowsAsync<HttpOperationException>(() => Reconciler().ReconcileAsync(Key, CancellationToken.None));

        Assert.Equal(HttpStatusCode.Conflict, error.Response.StatusCode);
        Assert.Empty(_journal);
    }

    [Fact]
    public async Task Reconcile_BuildGone_ReadsLiveAndTouchesNothing()
    {
        var result = await Reconciler().ReconcileAsync(Key, CancellationToken.None);

        Assert.Equal(ReconcileResult.Done(), result);
        Assert.Equal([("team", "app")], _api.Reads);
        Assert.Empty(_journal);
    }

    [Fact]
    public async Task Reconcile_TrimmedCachedCopyNeedsAWrite_DecidesAgainOnTheWholeObjectAndKeepsWhatTheCacheDropped()
    {
        var whole = Builds.New();
        whole.Metadata.ResourceVersion = "10";
        whole.Status = new ImageBuildStatus
        {
            Phase = Phases.Succeeded,
            ObservedGeneration = 1,
            CleanedUp = true,
            Notification = new NotificationStatus { Queue = "q" },
            Conditions = [new V1Condition { Type = ConditionTypes.Ready, Status = "True", Reason = Reasons.BuildSucceeded, Message = "Pushed.", LastTransitionTime = Builds.Now.UtcDateTime }],
        };
        _api.With(whole);
        var trimmed = ImageBuildCacheTrim.Trim(KubernetesJson.Deserialize<ImageBuild>(KubernetesJson.Serialize(whole)));
        _cache.With(trimmed);
        Assert.True(ImageBuildCacheTrim.IsTrimmed(trimmed));

        await Reconciler(c => c.Status.Digest = "sha256:0123").ReconcileAsync(Key, CancellationToken.None);

        Assert.Equal([("team", "app")], _api.Reads);
        var written = Assert.Single(_api.StatusWrites);
        Assert.Equal(("sha256:0123", "Pushed."), (written.Status!.Digest, written.Status.Conditions!.Single().Message));
    }
}
