using ImageBuilder.Operator.Api;
using ImageBuilder.Operator.Controllers;
using ImageBuilder.Operator.Reconciliation;
using ImageBuilder.Operator.Reconciliation.Admission;

namespace ImageBuilder.Operator.Tests.Reconciliation.Admission;

public sealed class BuildSlotsTests
{
    [Fact]
    public void TryAdmit_TwoReconcilesBeforeTheJobIsCached_ReservationKeepsTheSecondOut()
    {
        var world = new SlotWorld(max: 1, perUser: 1);
        var first = world.Build("first", "u1", 10);
        var second = world.Build("second", "u2", 5);

        var a = world.Slots.TryAdmit(world.Context(first));
        var b = world.Slots.TryAdmit(world.Context(second));

        Assert.True(a.Admitted);
        Assert.Equal((false, SlotHold.Global), (b.Admitted, b.HeldBy));
    }

    [Fact]
    public void Settle_NoJobMade_GivesTheSlotBack()
    {
        var world = new SlotWorld(max: 1, perUser: 1);
        var first = world.Build("first", "u1", 10);
        var second = world.Build("second", "u2", 5);
        Assert.True(world.Slots.TryAdmit(world.Context(first)).Admitted);

        // The Job create failed: the reconcile wrote Retrying, not Building (and the cache shows it).
        Assert.Null(world.Slots.Settle(ObjectKey.From(first), new ImageBuildStatus { Phase = Phases.Retrying }));
        first.Status!.Phase = Phases.Retrying;

        Assert.True(world.Slots.TryAdmit(world.Context(second)).Admitted);
    }

    [Fact]
    public void TryAdmit_JobsInCache_UnfinishedHoldSlotsFinishedDoNot()
    {
        var world = new SlotWorld(max: 2, perUser: 5);
        world.Job(world.Build("done", "u1", 60, Phases.Succeeded), finished: true);
        world.Job(world.Build("running", "u1", 50, Phases.Building));
        var waiting = world.Build("waiting", "u2", 5);

        var decision = world.Slots.TryAdmit(world.Context(waiting));

        Assert.True(decision.Admitted);
        Assert.Equal(1, decision.Running);
        Assert.Equal(["u1", "u2"], world.Slots.Snapshot().Running.Order());
    }

    [Fact]
    public void TryAdmit_QueuedBuildsAhead_WaitsWithItsPosition()
    {
        var world = new SlotWorld(max: 1, perUser: 5);
        world.Job(world.Build("running", "u1", 50, Phases.Building));
        world.Build("older", "u2", 30, Phases.Queued);
        var newer = world.Build("newer", "u3", 5);

        var decision = world.Slots.TryAdmit(world.Context(newer));

        Assert.Equal((false, 2), (decision.Admitted, decision.Position));
        Assert.Equal(1, world.Slots.Snapshot().Queued);
    }

    [Fact]
    public void TryAdmit_CancelledOrDeletedQueuedBuild_IsNotAheadOfAnyone()
    {
        var world = new SlotWorld(max: 1, perUser: 5);
        var cancelled = world.Build("cancelled", "u1", 30, Phases.Queued);
        cancelled.Metadata.Annotations = new Dictionary<string, string> { [Annotations.Cancel] = "no" };
        var deleted = world.Build("deleted", "u2", 20, Phases.Queued);
        deleted.Metadata.DeletionTimestamp = world.Time.GetUtcNow().UtcDateTime;

        AssertANewBuildIsAdmitted(world, "u3");
    }

    [Fact]
    public void Settle_JobMade_ReportsTheQueueWaitOnce()
    {
        var world = new SlotWorld(max: 1, perUser: 1);
        var build = world.Build("b", "u1", 100, Phases.Queued);
        var context = world.Context(build);
        context.Status.QueuedSince = world.Time.GetUtcNow().UtcDateTime.AddSeconds(-42);
        Assert.True(world.Slots.TryAdmit(context).Admitted);
        var written = new ImageBuildStatus { Phase = Phases.Building, Job = JobNames.For(build, 1) };

        var first = world.Slots.Settle(ObjectKey.From(build), written);
        var again = world.Slots.Settle(ObjectKey.From(build), written);

        Assert.Equal(TimeSpan.FromSeconds(42), first);
        Assert.Null(again);
    }

    [Fact]
    public void TryAdmit_ReservationWhoseJobReachedTheCache_IsCountedOnce()
    {
        var world = new SlotWorld(max: 2, perUser: 5);
        var build = world.Build("b", "u1", 10);
        AdmitAndMakeJob(world, build);
        world.Job(build);

        Assert.Single(world.Slots.Snapshot().Running);
    }

    [Fact]
    public void TryAdmit_ReservationNeverSeen_ExpiresAfterItsTimeout()
    {
        var world = new SlotWorld(max: 1, perUser: 1);
        var lost = world.Build("lost", "u1", 10);
        AdmitAndMakeJob(world, lost);
        lost.Status!.Phase = Phases.Building;
        var next = world.Build("next", "u2", 5);
        Assert.False(world.Slots.TryAdmit(world.Context(next)).Admitted);

        world.Time.Advance(BuildSlots.ReservationTimeout + TimeSpan.FromSeconds(1));

        Assert.True(world.Slots.TryAdmit(world.Context(next)).Admitted);
    }

    [Fact]
    public void TryAdmit_OlderRequestStillPending_NewerOneWaitsBehindIt()
    {
        // Two requests of one user arrive together; the newer one's reconcile happens to get here first.
        var world = new SlotWorld(max: 1, perUser: 1);
        var older = world.Build("older", "u1", 2, phase: null);
        var newer = world.Build("newer", "u1", 1);

        var early = world.Slots.TryAdmit(world.Context(newer));
        var first = world.Slots.TryAdmit(world.Context(older));

        Assert.Equal((false, 2, true), (early.Admitted, early.Position, early.BehindArriving));
        Assert.True(first.Admitted);
        Assert.Equal(0, world.Slots.Snapshot().Queued);
    }

    [Fact]
    public void TryAdmit_PendingBuildWaitingForItsTokenSecret_IsNotAhead()
    {
        var world = new SlotWorld(max: 1, perUser: 1);
        var waitingForSecret = world.Build("no-secret", "u1", 60);
        waitingForSecret.Status!.TokenSecretMissingSince = world.Time.GetUtcNow().UtcDateTime;

        AssertANewBuildIsAdmitted(world, "u1");
    }

    [Fact]
    public void QueuedBuildsOnFreedSlot_JobFinishesOrGoes_WakesEveryQueuedBuild()
    {
        var world = new SlotWorld(max: 1, perUser: 1);
        var running = world.Build("running", "u1", 50, Phases.Building);
        world.Build("q1", "u2", 20, Phases.Queued);
        world.Build("q2", "u3", 10, Phases.Queued);
        world.Build("pending", "u3", 5, Phases.Pending);
        var job = world.Job(running);
        var finished = world.Job(running, finished: true);
        var mapper = new QueuedBuildsOnFreedSlot(world.Builds);

        Assert.Equal(["q1", "q2"], mapper.Map(job, finished).Select(k => k.Name).Order());
        Assert.Equal(["q1", "q2"], mapper.Map(job, null).Select(k => k.Name).Order());
        Assert.Empty(mapper.Map(null, job));
        Assert.Empty(mapper.Map(job, job));
        Assert.Empty(mapper.Map(finished, null));
    }

    /// <summary><paramref name="build"/> takes a slot and its first Job is made (the status write that names the Job).</summary>
    private static void AdmitAndMakeJob(SlotWorld world, ImageBuild build)
    {
        Assert.True(world.Slots.TryAdmit(world.Context(build)).Admitted);
        world.Slots.Settle(ObjectKey.From(build), new ImageBuildStatus { Phase = Phases.Building, Job = JobNames.For(build, 1) });
    }

    /// <summary>A new build of <paramref name="user"/> gets the slot: nothing the world holds counts as ahead of it.</summary>
    private static void AssertANewBuildIsAdmitted(SlotWorld world, string user) =>
        Assert.True(world.Slots.TryAdmit(world.Context(world.Build("mine", user, 5))).Admitted);
}
