using ImageBuilder.Operator.Api;
using ImageBuilder.Operator.Reconciliation;
using ImageBuilder.Operator.Reconciliation.Steps;

namespace ImageBuilder.Operator.Tests.Reconciliation.Admission;

public sealed class AdmissionStepTests
{
    [Fact]
    public async Task Run_NoSlotFree_QueuedWithPositionConditionAndOneEvent()
    {
        var world = new SlotWorld(max: 1, perUser: 3);
        world.Job(world.Build("running", "u1", 50, Phases.Building));
        var build = world.Build("waiting", "u2", 5);
        var step = Step(world);
        var context = world.Context(build);

        var result = await Builds.RunAsync(step, context);

        Assert.Equal((true, AdmissionStep.SafetyPoll), (result.Stop, result.RequeueAfter));
        Assert.Equal((Phases.Queued, 1), (context.Status.Phase, context.Status.QueuePosition));
        Assert.Equal(world.Time.GetUtcNow().UtcDateTime, context.Status.QueuedSince);
        var ready = Assert.Single(context.Status.Conditions!, c => c.Type == ConditionTypes.Ready);
        Assert.Equal((Reasons.WaitingForBuildSlot, "False"), (ready.Reason, ready.Status));
        Assert.Contains("position 1", ready.Message, StringComparison.Ordinal);
        Assert.Contains("Build:MaxConcurrentBuilds", ready.Message, StringComparison.Ordinal);
        Assert.Equal(Reasons.WaitingForBuildSlot, Assert.Single(context.Events).Reason);

        // Still queued on the next reconcile: the same place, the first wait time, no second Event.
        build.Status = context.Status;
        world.Time.Advance(TimeSpan.FromSeconds(30));
        var again = world.Context(build);
        await step.RunAsync(again, CancellationToken.None);
        Assert.Equal(context.Status.QueuedSince, again.Status.QueuedSince);
        Assert.Empty(again.Events);
    }

    [Fact]
    public async Task Run_UserAtItsLimit_MessageNamesThePerUserLimit()
    {
        var world = new SlotWorld(max: 10, perUser: 1);
        world.Job(world.Build("running", "u1", 50, Phases.Building));
        var context = world.Context(world.Build("second", "u1", 5));

        await Builds.RunAsync(Step(world), context);

        var ready = Assert.Single(context.Status.Conditions!, c => c.Type == ConditionTypes.Ready);
        Assert.Contains("Build:MaxConcurrentBuildsPerUser", ready.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_SlotFree_ContinuesAndClearsTheQueueFields()
    {
        var world = new SlotWorld(max: 1, perUser: 1);
        var build = world.Build("was-queued", "u1", 50, Phases.Queued);
        build.Status!.QueuePosition = 1;
        build.Status.QueuedSince = world.Time.GetUtcNow().UtcDateTime.AddSeconds(-20);
        var context = world.Context(build);

        var result = await Step(world).RunAsync(context, CancellationToken.None);

        Assert.False(result.Stop);
        Assert.Equal((null, null), (context.Status.QueuePosition, context.Status.QueuedSince));
    }

    [Theory]
    [InlineData(Phases.Succeeded)]
    [InlineData(Phases.Retrying)]
    public async Task Run_NoJobNeeded_DoesNotTakeASlot(string phase)
    {
        var world = new SlotWorld(max: 1, perUser: 1);
        var build = world.Build("b", "u1", 5, phase);

        var result = await Step(world).RunAsync(world.Context(build), CancellationToken.None);

        Assert.False(result.Stop);
        Assert.Empty(world.Slots.Snapshot().Running);
    }

    private static AdmissionStep Step(SlotWorld world) => new(world.Slots, world.Options);
}
