using System.Net;
using ImageBuilder.Operator.Api;
using ImageBuilder.Operator.Controllers;
using ImageBuilder.Operator.Options;
using ImageBuilder.Operator.Reconciliation;
using ImageBuilder.Operator.Reconciliation.Steps;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;
using MsOptions = Microsoft.Extensions.Options.Options;

namespace ImageBuilder.Operator.Tests.Reconciliation;

public sealed class SupersedeStepTests
{
    private const string NewerMessage = "Superseded by ImageBuild team/newer, a newer request for owner/app (main) of the same application: ";
    private static readonly TimeSpan AfterWrite = TimeSpan.FromSeconds(1);
    private readonly List<string> _journal = [];
    private readonly InMemoryObjects<ImageBuild> _builds;
    private readonly InMemoryObjects<V1Job> _jobs;
    private readonly InMemoryObjects<V1Secret> _secrets;

    public SupersedeStepTests()
    {
        _builds = new() { Journal = _journal };
        _jobs = new() { Journal = _journal };
        _secrets = new() { Journal = _journal };
    }

    /// <summary>The ImageBuilds serve as both the informer's cache the siblings come from and the API the nudges patch.</summary>
    private SupersedeStep Step(bool enabled = true) => new(_builds, new BuildTeardown(_jobs, _jobs, _secrets, _secrets), _builds,
        MsOptions.Create(new SupersedeOptions { Enabled = enabled }), NullLogger<SupersedeStep>.Instance);

    /// <summary>A build of user 18008's application "app" on branch main, requested <paramref name="minute"/> minutes after the hour.</summary>
    private static ImageBuild Build(string name, int minute, string? phase = null, Action<ImageBuild>? change = null)
    {
        var build = Builds.New(s => s.Source.TokenSecretRef = new SecretKeyRef { Name = name + "-token" });
        build.Metadata.Name = name;
        build.Metadata.Uid = "uid-" + name;
        build.Metadata.Annotations = new Dictionary<string, string> { [Annotations.RequestedAt] = RequestOrder.Stamp(Builds.Now.AddMinutes(minute)) };
        build.Status = phase is null ? null : new ImageBuildStatus { Phase = phase };
        change?.Invoke(build);
        return build;
    }

    /// <summary>The build in the cache, and its context as the reconcile sees it.</summary>
    private ReconcileContext Reconciling(ImageBuild build, Action<ImageBuildStatus>? status = null)
    {
        _builds.With(build);
        var copy = ImageBuildStore.CopyStatus(build.Status);
        status?.Invoke(copy);
        return new ReconcileContext(build, copy, Builds.Now);
    }

    private void AddJob(string name, string ownerUid) => _jobs.With(new V1Job
    {
        Metadata = new V1ObjectMeta
        {
            Name = name,
            NamespaceProperty = "team",
            Labels = new Dictionary<string, string> { [Annotations.ManagedByLabel] = Annotations.ManagedByValue },
            OwnerReferences = [new V1OwnerReference { Uid = ownerUid, Name = name, Kind = ImageBuild.KindName, ApiVersion = "v1" }],
        },
    });

    private void AddSecret(string name, string? ownerUid) => _secrets.With(new V1Secret
    {
        Metadata = new V1ObjectMeta
        {
            Name = name,
            NamespaceProperty = "team",
            OwnerReferences = ownerUid is null ? null : [new V1OwnerReference { Uid = ownerUid, Name = name, Kind = ImageBuild.KindName, ApiVersion = "v1" }],
        },
    });

    private string? SupersededByAnnotation(string name) =>
        _builds.Get(new ObjectKey("team", name))!.Metadata.Annotations?.TryGetValue(Annotations.SupersededBy, out var value) == true ? value : null;

    public static TheoryData<string, bool, string?, string?> NotItsTurn => new()
    {
        // case, enabled, phase, applicationId
        { "supersession off", false, Phases.Pending, "app" },
        { "succeeded", true, Phases.Succeeded, "app" },
        { "failed", true, Phases.Failed, "app" },
        { "cancelled", true, Phases.Cancelled, "app" },
        { "already superseded", true, Phases.Superseded, "app" },
        { "no application", true, Phases.Pending, null },
        { "empty application", true, Phases.Pending, "" },
    };

    [Theory]
    [MemberData(nameof(NotItsTurn))]
    public async Task Run_NotItsTurn_NeitherEndsItNorNudgesAnother(string name, bool enabled, string? phase, string? application)
    {
        _builds.With(Build("older", 0, Phases.Building, b => b.Spec.ApplicationId = application));
        _builds.With(Build("newer", 2, Phases.Pending, b => b.Spec.ApplicationId = application));
        AddJob("app-1", "uid-app");
        var context = Reconciling(Build("app", 1, phase, b => b.Spec.ApplicationId = application));

        var result = await Builds.RunAsync(Step(enabled), context);

        Assert.False(result.Stop, name);
        Assert.Equal(phase, context.Status.Phase);
        Assert.Null(context.Status.SupersededBy);
        Assert.Empty(context.Events);
        Assert.Empty(_journal);
        Assert.Empty(_jobs.Lists);
    }

    public static TheoryData<string, bool> Unfinished => new()
    {
        // phase (a new build is Pending by the time this step runs: AcceptStep goes first), Building condition present
        { Phases.Pending, false },
        { Phases.Queued, false },
        { Phases.Building, true },
        { Phases.Retrying, true },
    };

    [Theory]
    [MemberData(nameof(Unfinished))]
    public async Task Run_NewerRequestOfTheSameApplication_EndsThisOneSupersededWithoutNotifying(string phase, bool buildingCondition)
    {
        _builds.With(Build("newer", 2, Phases.Pending));
        var context = Reconciling(Build("app", 1, phase), s =>
        {
            s.Ref = "main";
            s.NextAttemptTime = Builds.Now.UtcDateTime.AddMinutes(1);
            s.QueuePosition = 3;
            if (buildingCondition)
            {
                s.Conditions = [new V1Condition { Type = ConditionTypes.Building, Status = "True", Reason = Reasons.BuildStarted, Message = "m", LastTransitionTime = Builds.Now.UtcDateTime }];
            }
        });

        var result = await Builds.RunAsync(Step(), context);

        Assert.Equal(StepResult.RequeueAfterDelay(AfterWrite), result);
        var status = context.Status;
        Assert.Equal((Phases.Superseded, "team/newer", Builds.Now.UtcDateTime), (status.Phase, status.SupersededBy, status.CompletionTime));
        Assert.Equal((null, null, true), (status.NextAttemptTime, status.QueuePosition, status.CleanedUp));
        var message = NewerMessage + (phase == Phases.Building ? "its build Job was stopped, " : "it never built, ") + "its token Secret deleted, and nobody is notified.";
        Assert.Equal([("Normal", Reasons.Superseded, message)], context.Events);
        var building = status.Conditions?.SingleOrDefault(c => c.Type == ConditionTypes.Building);
        if (buildingCondition)
        {
            Assert.Equal(("False", Reasons.Superseded, message), (building!.Status, building.Reason, building.Message));
        }
        else
        {
            Assert.Null(building);
        }
        Assert.Null(status.Notification);
        // Its own status goes through the reconcile's one status write; the newer build is not touched.
        Assert.Empty(_builds.StatusWrites);
        Assert.Null(SupersededByAnnotation("newer"));
    }

    [Fact]
    public async Task Run_Superseded_DeletesItsJobsAndItsOwnTokenSecretOnlyThenChangesItsStatus()
    {
        _builds.With(Build("newer", 2, Phases.Pending));
        AddJob("app-1", "uid-app");
        AddJob("app-2", "uid-app");
        AddJob("newer-1", "uid-newer");
        AddSecret("app-token", "uid-app");
        AddSecret("newer-token", "uid-newer");
        var context = Reconciling(Build("app", 1, Phases.Building), s => s.Ref = "main");

        await Builds.RunAsync(Step(), context);

        Assert.Equal(["DeleteAsync team/app-1", "DeleteAsync team/app-2", "DeleteAsync team/app-token"], _journal);
        Assert.Equal([ImageBuildController.ManagedJobsSelector], _jobs.Lists);
        Assert.Equal(Phases.Superseded, context.Status.Phase);
        Assert.StartsWith(NewerMessage + "its build Job was stopped", context.Events.Single().Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_SharedTokenSecret_IsLeftAlone()
    {
        _builds.With(Build("newer", 2, Phases.Pending));
        AddSecret("app-token", ownerUid: null);
        var context = Reconciling(Build("app", 1, Phases.Pending), s => s.Ref = "main");

        await Builds.RunAsync(Step(), context);

        Assert.Equal(Phases.Superseded, context.Status.Phase);
        Assert.Equal([("team", "app-token")], _secrets.Reads);
        Assert.Empty(_journal);
    }

    [Fact]
    public async Task Run_SeveralNewerRequests_NamesTheNewestAsTheOneThatBuilds()
    {
        _builds.With(Build("newer", 3, Phases.Pending)).With(Build("middle", 2, Phases.Pending));
        var context = Reconciling(Build("app", 1, Phases.Queued), s => s.Ref = "main");

        await Builds.RunAsync(Step(), context);

        Assert.Equal("team/newer", context.Status.SupersededBy);
        Assert.Empty(_journal);
    }

    public static TheoryData<string, Action<ImageBuild>, bool> NotANewerRequestForTheSameThing => new()
    {
        // what differs in the other build (requested later unless the case says otherwise), whether this one nudges it instead
        { "requested earlier", b => b.Metadata.Annotations[Annotations.RequestedAt] = RequestOrder.Stamp(Builds.Now), true },
        { "another application", b => b.Spec.ApplicationId = "other", false },
        { "another user", b => b.Spec.UserId = "4711", false },
        { "another namespace", b => b.Metadata.NamespaceProperty = "elsewhere", false },
        { "another branch", b => b.Spec.Source.Branch = "next", false },
        { "a pinned commit", b => (b.Spec.Source.Type, b.Spec.Source.Commit) = (RefTypes.Commit, "c0ffee0123456789c0ffee0123456789c0ffee01"), false },
        { "being deleted", b => b.Metadata.DeletionTimestamp = Builds.Now.UtcDateTime, false },
    };

    [Theory]
    [MemberData(nameof(NotANewerRequestForTheSameThing))]
    public async Task Run_OtherBuildIsNoNewerRequestForTheSameThing_KeepsThisOneAndDeletesNothing(string name, Action<ImageBuild> change, bool nudged)
    {
        _builds.With(Build("other", 2, Phases.Pending, change));
        AddJob("app-1", "uid-app");
        var context = Reconciling(Build("app", 1, Phases.Building), s => s.Ref = "main");

        var result = await Builds.RunAsync(Step(), context);

        Assert.False(result.Stop, name);
        Assert.Equal(Phases.Building, context.Status.Phase);
        Assert.Empty(context.Events);
        Assert.Empty(_jobs.Lists);
        Assert.Equal(nudged ? ["MergePatchAsync team/other"] : [], _journal);
    }

    [Fact]
    public async Task Run_OlderUnfinishedRequests_NudgesEachWithTheSupersededByAnnotation()
    {
        _builds.With(Build("queued", 0, Phases.Queued)).With(Build("building", -1, Phases.Building));
        var context = Reconciling(Build("app", 1, Phases.Pending));

        var result = await Builds.RunAsync(Step(), context);

        Assert.False(result.Stop);
        Assert.Equal(["MergePatchAsync team/building", "MergePatchAsync team/queued"], _journal.Order(StringComparer.Ordinal));
        Assert.Equal(("team/app", "team/app"), (SupersededByAnnotation("queued"), SupersededByAnnotation("building")));
        // The patch adds the one annotation: the others and the older build's status stay.
        Assert.Equal(RequestOrder.Stamp(Builds.Now), _builds.Get(new ObjectKey("team", "queued"))!.Metadata.Annotations[Annotations.RequestedAt]);
        Assert.Equal(Phases.Queued, _builds.Get(new ObjectKey("team", "queued"))!.Status!.Phase);
        // The older builds end themselves on their own reconcile: this one changes nothing of theirs but the annotation.
        Assert.Equal(Phases.Pending, context.Status.Phase);
        Assert.Empty(context.Events);
        Assert.Empty(_builds.StatusWrites);
    }

    public static TheoryData<string, string, Action<ImageBuild>> NotNudged => new()
    {
        // case, phase of the older build, change
        { "finished", Phases.Succeeded, _ => { } },
        { "superseded already", Phases.Superseded, _ => { } },
        { "already nudged by this build", Phases.Queued, b => b.Metadata.Annotations[Annotations.SupersededBy] = "team/app" },
        { "another branch", Phases.Queued, b => b.Spec.Source.Branch = "next" },
    };

    [Theory]
    [MemberData(nameof(NotNudged))]
    public async Task Run_OlderBuildFinishedAlreadyNudgedOrForSomethingElse_IsNotPatched(string name, string phase, Action<ImageBuild> change)
    {
        _builds.With(Build("older", 0, phase, change));
        var context = Reconciling(Build("app", 1, Phases.Pending));

        await Builds.RunAsync(Step(), context);

        Assert.True(_journal.Count == 0, name);
    }

    [Fact]
    public async Task Run_NudgedByAnOlderRequestBefore_IsNudgedAgainByTheNewer()
    {
        _builds.With(Build("older", 0, Phases.Queued, b => b.Metadata.Annotations[Annotations.SupersededBy] = "team/middle"));
        var context = Reconciling(Build("app", 1, Phases.Pending));

        await Builds.RunAsync(Step(), context);

        Assert.Equal("team/app", SupersededByAnnotation("older"));
    }

    [Fact]
    public async Task Run_OlderBuildDeletedBeforeItsNudge_GoesOnWithTheOthers()
    {
        _builds.With(Build("first", 0, Phases.Queued)).With(Build("second", -1, Phases.Queued));
        // Whichever is patched first, "first" is gone by then.
        _builds.BeforeNext(nameof(InMemoryObjects<ImageBuild>.MergePatchAsync), () => _builds.Without("team", "first"));
        var context = Reconciling(Build("app", 1, Phases.Pending));

        var result = await Builds.RunAsync(Step(), context);

        Assert.False(result.Stop);
        Assert.Equal(["MergePatchAsync team/second"], _journal);
    }

    [Fact]
    public async Task Run_NudgeFailsOtherwise_FailsTheStepSoTheReconcileIsRetried()
    {
        _builds.With(Build("older", 0, Phases.Queued));
        _builds.FailNext(nameof(InMemoryObjects<ImageBuild>.MergePatchAsync), ApiErrors.Status(HttpStatusCode.InternalServerError));
        var context = Reconciling(Build("app", 1, Phases.Pending));

        var error = await Assert.ThrowsAsync<HttpOperationException>(() => Step().RunAsync(context, CancellationToken.None));

        Assert.Equal(HttpStatusCode.InternalServerError, error.Response.StatusCode);
        Assert.Empty(_journal);
    }
}
