using System.Net;
using ImageBuilder.Operator.Api;
using ImageBuilder.Operator.Controllers;
using ImageBuilder.Operator.Options;
using ImageBuilder.Operator.Reconciliation;
using ImageBuilder.Operator.Reconciliation.Steps;
using ImageBuilder.Operator.Requests;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using MsOptions = Microsoft.Extensions.Options.Options;

namespace ImageBuilder.Operator.Tests.Reconciliation;

public sealed class RetentionStepTests
{
    private static readonly TimeSpan Ttl = TimeSpan.FromHours(1);
    private static readonly TimeSpan AfterWrite = TimeSpan.FromSeconds(1);
    private readonly List<string> _journal = [];
    private readonly InMemoryObjects<ImageBuild> _builds;
    private readonly InMemoryObjects<V1ConfigMap> _maps;

    public RetentionStepTests()
    {
        _builds = new() { Journal = _journal };
        _maps = new() { Journal = _journal };
    }

    /// <summary>The ImageBuilds serve as both the informer's cache the application's builds come from and the API they are deleted through.</summary>
    private RetentionStep Step(bool enabled = true, int limit = 2)
    {
        var options = MsOptions.Create(new RetentionOptions { Enabled = enabled, TtlAfterSucceeded = Ttl, TtlAfterFailed = Ttl, SucceededLimit = limit, FailedLimit = limit });
        return new RetentionStep(_builds, _builds, new RetiredBuilds(new OperatorConfigMaps(_maps, _maps, _maps), new FakeTimeProvider(Builds.Now), options), options,
            NullLogger<RetentionStep>.Instance);
    }

    /// <summary>
    /// A build of user 18008's application "app", requested <paramref name="minute"/> minutes after the hour and finished
    /// <paramref name="finishedAgo"/> before now, notified, as the apiserver holds it.
    /// </summary>
    private static ImageBuild Build(string name, int minute, TimeSpan finishedAgo, string phase = Phases.Succeeded, Action<ImageBuild>? change = null)
    {
        var build = Builds.New();
        build.Metadata.Name = name;
        build.Metadata.Uid = "uid-" + name;
        build.Metadata.Annotations = new Dictionary<string, string> { [Annotations.RequestedAt] = RequestOrder.Stamp(Builds.Now.AddMinutes(minute)) };
        build.Status = new ImageBuildStatus
        {
            ObservedGeneration = 1,
            Phase = phase,
            CompletionTime = (Builds.Now - finishedAgo).UtcDateTime,
            Notification = new NotificationStatus { Queue = "q" },
        };
        change?.Invoke(build);
        return build;
    }

    private void Add(params ImageBuild[] builds)
    {
        foreach (var build in builds)
        {
            _builds.With(build);
        }
    }

    /// <summary>The build in the cache, and its context as the reconcile sees it (the status this reconcile computed, by default unchanged).</summary>
    private ReconcileContext Reconciling(ImageBuild build, Action<ImageBuildStatus>? status = null)
    {
        _builds.With(build);
        var copy = ImageBuildStore.CopyStatus(build.Status);
        status?.Invoke(copy);
        return new ReconcileContext(build, copy, Builds.Now);
    }

    private static Action<ImageBuild> BridgeMade => b => b.Metadata.Annotations[ImageBuildFactory.RequestedByAnnotation] = ImageBuildFactory.RequestedByBridge;

    public static TheoryData<string, bool, string, bool> NotSettled => new()
    {
        // case, retention on, phase, notified
        { "retention off", false, Phases.Succeeded, true },
        { "building", true, Phases.Building, true },
        { "retrying", true, Phases.Retrying, true },
        { "succeeded, not notified yet", true, Phases.Succeeded, false },
        { "failed, not notified yet", true, Phases.Failed, false },
    };

    [Theory]
    [MemberData(nameof(NotSettled))]
    public async Task Run_OffOrNotSettled_DeletesNothingNotEvenItsExpiredSiblings(string name, bool enabled, string phase, bool notified)
    {
        Add(Build("old-1", -3, Ttl * 2), Build("old-2", -2, Ttl * 2), Build("old-3", -1, Ttl * 2));
        var context = Reconciling(Build("app", 0, Ttl * 2, phase), s => s.Notification = notified ? s.Notification : null);

        var result = await Step(enabled, limit: 1).RunAsync(context, CancellationToken.None);

        Assert.True(result == StepResult.Continue(), name);
        Assert.Empty(_journal);
    }

    [Theory]
    [InlineData(Phases.Succeeded)]
    [InlineData(Phases.Failed)]
    [InlineData(Phases.Cancelled)]
    [InlineData(Phases.Superseded)] // never notified: settled as soon as it ends
    public async Task Run_SettledWithinItsTimeToLive_ComesBackWhenItEnds(string phase)
    {
        var context = Reconciling(Build("app", 0, TimeSpan.FromMinutes(20), phase, b => b.Status!.Notification = phase == Phases.Superseded ? null : b.Status.Notification));

        var result = await Step().RunAsync(context, CancellationToken.None);

        Assert.Equal(StepResult.RequeueAfterDelay(TimeSpan.FromMinutes(40)), result);
        Assert.Empty(_journal);
    }

    [Fact]
    public async Task Run_TimeToLiveEndsWithinASecond_ComesBackAfterTheStatusWriteCouldLand()
    {
        var context = Reconciling(Build("app", 0, Ttl - TimeSpan.FromMilliseconds(200)));

        var result = await Step().RunAsync(context, CancellationToken.None);

        Assert.Equal(StepResult.RequeueAfterDelay(AfterWrite), result);
    }

    [Fact]
    public async Task Run_TimeToLivePassed_DeletesItselfWithItsUidAsThePrecondition()
    {
        var context = Reconciling(Build("app", 0, Ttl));

        var result = await Step().RunAsync(context, CancellationToken.None);

        Assert.Equal(StepResult.Done(), result);
        Assert.Equal(["DeleteAsync team/app"], _journal);
        Assert.Null(_builds.Get(new ObjectKey("team", "app")));
        Assert.Empty(context.Events);
    }

    [Fact]
    public async Task Run_TimeToLivePassedButThisReconcileChangedTheStatus_DeletesNextTimeAfterTheWriteLanded()
    {
        // Deleting now would lose the status write (and whatever it records) with the object.
        var context = Reconciling(Build("app", 0, Ttl), s => s.CleanedUp = true);

        var result = await Step().RunAsync(context, CancellationToken.None);

        Assert.Equal(StepResult.RequeueAfterDelay(AfterWrite), result);
        Assert.Empty(_journal);
    }

    [Fact]
    public async Task Run_NewestToFinish_PrunesTheApplicationsBuildsBeyondTheLimitAndLeavesTheRestAlone()
    {
        Add(
            Build("old-1", -4, TimeSpan.FromMinutes(4)),
            Build("old-2", -3, TimeSpan.FromMinutes(3)),
            Build("old-3", -2, TimeSpan.FromMinutes(2)),
            Build("failed", -5, TimeSpan.FromMinutes(5), Phases.Failed),                             // its own limit, not reached
            Build("running", -6, TimeSpan.Zero, Phases.Building),                                   // unfinished
            Build("deleting", -7, TimeSpan.FromMinutes(7), change: b => b.Metadata.DeletionTimestamp = Builds.Now.UtcDateTime),
            Build("other-app", -8, TimeSpan.FromMinutes(8), change: b => b.Spec.ApplicationId = "other"),
            Build("other-user", -9, TimeSpan.FromMinutes(9), change: b => b.Spec.UserId = "4711"),
            Build("no-app", -10, TimeSpan.FromMinutes(10), change: b => b.Spec.ApplicationId = null),
            Build("elsewhere", -11, TimeSpan.FromMinutes(11), change: b => b.Metadata.NamespaceProperty = "elsewhere"));
        var context = Reconciling(Build("app", 0, TimeSpan.Zero));

        var result = await Step(limit: 2).RunAsync(context, CancellationToken.None);

        // Kept: app (newest) and old-3; a build already being deleted does not count against the limit.
        Assert.Equal(["DeleteAsync team/old-1", "DeleteAsync team/old-2"], _journal.Order(StringComparer.Ordinal));
        Assert.Equal(StepResult.RequeueAfterDelay(Ttl), result);
        Assert.NotNull(_builds.Get(new ObjectKey("team", "app")));
    }

    [Fact]
    public async Task Run_NoApplication_DecidesOnlyOnItself()
    {
        Add(Build("old-1", -2, TimeSpan.FromMinutes(2), change: b => b.Spec.ApplicationId = null),
            Build("old-2", -1, TimeSpan.FromMinutes(1), change: b => b.Spec.ApplicationId = null));
        var context = Reconciling(Build("app", 0, TimeSpan.Zero, change: b => b.Spec.ApplicationId = null));

        var result = await Step(limit: 1).RunAsync(context, CancellationToken.None);

        Assert.Equal(StepResult.RequeueAfterDelay(Ttl), result);
        Assert.Empty(_journal);
    }

    [Fact]
    public async Task Run_BridgeMadeBuild_IsRememberedAsRetiredBeforeItIsDeleted()
    {
        // Else a redelivered request would find its name free and be built (and announced) again.
        Add(Build("old", -1, TimeSpan.FromMinutes(1), change: BridgeMade), Build("older", -2, TimeSpan.FromMinutes(2)));
        var context = Reconciling(Build("app", 0, TimeSpan.Zero));

        await Step(limit: 1).RunAsync(context, CancellationToken.None);

        var deleteOld = _journal.IndexOf("DeleteAsync team/old");
        Assert.Equal("CreateAsync team/" + RetiredBuilds.ConfigMapName, _journal[deleteOld - 1]);
        Assert.Contains("DeleteAsync team/older", _journal);
        Assert.Equal(3, _journal.Count);
        Assert.Equal(["old"], _maps.Get(new ObjectKey("team", RetiredBuilds.ConfigMapName))!.Data.Keys);
    }

    [Fact]
    public async Task Run_RememberingFails_DeletesNothingOfThatBuild()
    {
        Add(Build("old", -1, TimeSpan.FromMinutes(1), change: BridgeMade));
        _maps.FailNext(nameof(InMemoryObjects<V1ConfigMap>.CreateAsync), ApiErrors.Status(HttpStatusCode.Forbidden));
        var context = Reconciling(Build("app", 0, TimeSpan.Zero));

        var error = await Assert.ThrowsAsync<HttpOperationException>(() => Step(limit: 1).RunAsync(context, CancellationToken.None));

        Assert.Equal(HttpStatusCode.Forbidden, error.Response.StatusCode);
        Assert.NotNull(_builds.Get(new ObjectKey("team", "old")));
        Assert.Empty(_journal);
    }

    [Theory]
    [InlineData(false)] // deleted by another client: the apiserver's 404
    [InlineData(true)]  // and its name taken by a newer build since the cache saw it: the uid precondition's 409
    public async Task Run_DoomedBuildGoneOrItsNameTakenMeanwhile_LeavesItAndGoesOn(bool nameTaken)
    {
        Add(Build("old", -1, TimeSpan.FromMinutes(1)));
        _builds.BeforeNext(nameof(InMemoryObjects<ImageBuild>.DeleteAsync), () =>
        {
            _builds.Without("team", "old");
            if (nameTaken)
            {
                _builds.With(Build("old", 5, TimeSpan.Zero, Phases.Building, b => b.Metadata.Uid = "uid-new"));
            }
        });
        var context = Reconciling(Build("app", 0, Ttl * 2));

        var result = await Step(limit: 1).RunAsync(context, CancellationToken.None);

        // The newer build goes unharmed; this one, past its time to live, is deleted next.
        Assert.Equal(StepResult.Done(), result);
        Assert.Equal(nameTaken ? "uid-new" : null, _builds.Get(new ObjectKey("team", "old"))?.Metadata.Uid);
        Assert.Equal(["DeleteAsync team/app"], _journal);
    }

    [Fact]
    public async Task Run_DeleteFailsOtherwise_FailsTheStepSoTheReconcileIsRetried()
    {
        Add(Build("old", -1, TimeSpan.FromMinutes(1)));
        _builds.FailNext(nameof(InMemoryObjects<ImageBuild>.DeleteAsync), ApiErrors.Status(HttpStatusCode.InternalServerError));
        var context = Reconciling(Build("app", 0, TimeSpan.Zero));

        var error = await Assert.ThrowsAsync<HttpOperationException>(() => Step(limit: 1).RunAsync(context, CancellationToken.None));

        Assert.Equal(HttpStatusCode.InternalServerError, error.Response.StatusCode);
        Assert.Empty(_journal);
    }

    [Fact]
    public async Task Run_BuildsOwnRetentionSpec_DecidesItsOwnFate()
    {
        Add(Build("old-1", -2, TimeSpan.FromMinutes(2), change: b => b.Spec.Retention = new RetentionSpec { SucceededLimit = 3 }),
            Build("old-2", -1, TimeSpan.FromMinutes(1)));
        var context = Reconciling(Build("app", 0, TimeSpan.Zero));

        await Step(limit: 1).RunAsync(context, CancellationToken.None);

        Assert.Equal(["DeleteAsync team/old-2"], _journal);
    }
}
