using ImageBuilder.Operator.Api;
using ImageBuilder.Operator.Reconciliation;
using ImageBuilder.Operator.Reconciliation.Steps;

namespace ImageBuilder.Operator.Tests.Reconciliation;

public sealed class RetryStepTests
{
    [Fact]
    public async Task Run_NotReleased_WaitsUntilTheNextAttemptTime()
    {
        var context = Builds.Context(status: s => { s.Phase = Phases.Retrying; s.NextAttemptTime = (Builds.Now + TimeSpan.FromSeconds(40)).UtcDateTime; });

        var result = await new RetryStep(new RecordingRetryScheduler()).RunAsync(context, CancellationToken.None);

        Assert.True(result.Stop);
        Assert.Equal(TimeSpan.FromSeconds(40), result.RequeueAfter);
        Assert.Equal(Phases.Retrying, context.Status.Phase);
        Assert.Equal(0, context.Status.Retries);
    }

    [Fact]
    public async Task Run_Released_StartsTheNextAttemptAndCountsIt()
    {
        var context = Builds.Context(status: s => { s.Phase = Phases.Retrying; s.Retries = 1; s.Job = "app-2"; s.LastFailure = new BuildFailure { Message = "503" }; });

        var result = await new RetryStep(new RecordingRetryScheduler { ReleasedUpTo = 3 }).RunAsync(context, CancellationToken.None);

        Assert.False(result.Stop);
        Assert.Equal(2, context.Status.Retries);
        Assert.Equal(3, context.Attempt);
        Assert.Equal(Phases.Pending, context.Status.Phase);
        Assert.Null(context.Status.Job);
        Assert.True(BuildLifecycle.NeedsJob(context));
        Assert.Contains(context.Events, e => e.Reason == Reasons.RetryStarted);
    }

    [Theory]
    [InlineData(Phases.Pending)]
    [InlineData(Phases.Building)]
    [InlineData(Phases.Succeeded)]
    public async Task Run_NotRetrying_DoesNothing(string phase)
    {
        var context = Builds.Context(status: s => s.Phase = phase);

        var result = await new RetryStep(new RecordingRetryScheduler { ReleasedUpTo = 9 }).RunAsync(context, CancellationToken.None);

        Assert.False(result.Stop);
        Assert.Equal(phase, context.Status.Phase);
        Assert.Empty(context.Events);
    }
}
