using ImageBuilder.Operator.Api;
using ImageBuilder.Operator.Options;
using ImageBuilder.Operator.Reconciliation;
using ImageBuilder.Operator.Reconciliation.Steps;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit.Abstractions;
using MsOptions = Microsoft.Extensions.Options.Options;

namespace ImageBuilder.Operator.Tests.Reconciliation;

public sealed class BuildLifecycleTests(ITestOutputHelper output)
{
    private static readonly string[] Terminal = [Phases.Succeeded, Phases.Failed, Phases.Superseded, Phases.Cancelled];

    /// <summary>One reconcile of <paramref name="context"/> through <paramref name="steps"/>, by the runner with the default options.</summary>
    private static Task<(ReconcileContext Context, StepResult Result)> RunAsync(ReconcileContext context, params IReconcileStep[] steps) =>
        new StepRunner(new ReconcileErrors(Builds.Outcomes(), MsOptions.Create(new ReconcileOptions())), NullLogger<StepRunner>.Instance)
            .RunAsync(context, steps, CancellationToken.None);

    /// <summary>A stored Pending build, as the reconcile reads it: the status to write is a copy of the stored one.</summary>
    private static ReconcileContext Pending()
    {
        var build = Builds.New();
        build.Status = new ImageBuildStatus { Phase = Phases.Pending };
        return new ReconcileContext(build, ImageBuildStore.CopyStatus(build.Status), Builds.Now);
    }

    [Fact]
    public void Transitions_FromANewBuild_ReachEveryPhase()
    {
        output.WriteLine(BuildLifecycle.Describe());
        var reached = new HashSet<string?> { null };
        var frontier = new Queue<string?>([null]);
        while (frontier.TryDequeue(out var phase))
        {
            foreach (var next in BuildLifecycle.Transitions.Where(t => t.From == phase).Select(t => t.To))
            {
                if (reached.Add(next))
                {
                    frontier.Enqueue(next);
                }
            }
        }

        Assert.Equal(BuildLifecycle.AllPhases.Order(StringComparer.Ordinal), reached.OfType<string>().Order(StringComparer.Ordinal));
        Assert.Equal(Terminal.Order(StringComparer.Ordinal), BuildLifecycle.AllPhases.Where(Phases.IsTerminal).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Transitions_FromATerminalPhase_OnlyAnUnannouncedSuccessEndsSuperseded()
    {
        var exits = BuildLifecycle.Transitions.Where(t => Phases.IsTerminal(t.From)).Select(t => (t.From, t.To, t.By)).ToList();

        Assert.Equal([(Phases.Succeeded, Phases.Superseded, "Notify")], exits);
    }

    [Fact]
    public void Transitions_FromEveryUnfinishedPhase_TheBuildCanEndEveryWay()
    {
        foreach (var phase in BuildLifecycle.Working)
        {
            foreach (var end in new[] { Phases.Failed, Phases.Cancelled, Phases.Superseded, Phases.Retrying })
            {
                Assert.True(BuildLifecycle.Allows(phase, end, null), $"{phase} -> {end}");
            }
        }
        Assert.False(BuildLifecycle.Allows(Phases.Retrying, Phases.Building, null)); // the next attempt starts in Pending
    }

    [Fact]
    public void Transitions_NameOnlyTheSteps()
    {
        var steps = typeof(AcceptStep).Assembly.GetTypes()
            .Where(t => t.Namespace == typeof(AcceptStep).Namespace && t.Name.EndsWith("Step", StringComparison.Ordinal))
            .Select(StepRunner.StepName).Append(StepRunner.ErrorPath).ToHashSet();

        Assert.All(BuildLifecycle.Transitions, t => Assert.Contains(t.By, steps));
    }

    [Fact]
    public void MoveTo_NotInTheTable_IsRefusedAndTheStatusKept()
    {
        var context = Builds.Context(status: s => s.Phase = Phases.Failed);

        var refused = Assert.Throws<InvalidOperationException>(() => context.MoveTo(Phases.Building, Reasons.BuildStarted, "m"));

        Assert.Contains("Failed -> Building", refused.Message, StringComparison.Ordinal);
        Assert.Equal(Phases.Failed, context.Status.Phase);
        Assert.Null(context.Ready);
    }

    [Fact]
    public async Task Run_AStepMovesThePhaseTheTableDoesNotGiveIt_ShowsAsAReconcileError()
    {
        // A move in the table (Pending -> Succeeded) but not this step's: CacheCheck and ObserveJob make it, not Admission.
        var step = new NamedStep("Admission", (context, _) =>
        {
            BuildOutcomes.Succeed(context, "sha256:feed", Reasons.CacheHit, "m");
            return Task.FromResult(StepResult.Continue());
        });

        var (context, result) = await RunAsync(Pending(), step);

        Assert.NotNull(result.Error);
        Assert.Equal(Phases.Pending, context.Status.Phase);
        var ready = context.Status.Conditions!.Single(c => c.Type == ConditionTypes.Ready);
        Assert.Equal(("False", Reasons.ReconcileError), (ready.Status, ready.Reason));
        Assert.Contains("Pending -> Succeeded by Admission", ready.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_AStepWritesThePhaseAroundMoveTo_ShowsAsAReconcileError()
    {
        var step = new NamedStep("Sloppy", (context, _) =>
        {
            context.Status.Phase = Phases.Building;
            return Task.FromResult(StepResult.Continue());
        });

        var (context, result) = await RunAsync(Pending(), step);

        Assert.NotNull(result.Error);
        Assert.Equal(Phases.Pending, context.Status.Phase);
        Assert.Contains("without ReconcileContext.MoveTo", context.Status.Conditions!.Single(c => c.Type == ConditionTypes.Ready).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_NothingHappens_ReadyStaysAsItWas()
    {
        // A Job still running: ObserveJob sets Building and moves nothing, so Ready keeps its BuildStarted word.
        var context = Builds.Context(status: s => s.Phase = Phases.Building);
        context.SetCondition(ConditionTypes.Ready, "False", Reasons.BuildStarted, "Attempt 1: Job app-1 builds commit c0ffee.");
        var observeJob = new NamedStep("ObserveJob", (c, _) =>
        {
            c.SetCondition(ConditionTypes.Building, "True", Reasons.JobRunning, "running");
            return Task.FromResult(StepResult.RequeueAfterDelay(TimeSpan.FromMinutes(1)));
        });

        var (after, _) = await RunAsync(context, new AcceptStep(), observeJob);

        var ready = after.Status.Conditions!.Single(c => c.Type == ConditionTypes.Ready);
        Assert.Equal((Reasons.BuildStarted, "Attempt 1: Job app-1 builds commit c0ffee."), (ready.Reason, ready.Message));
    }
}
