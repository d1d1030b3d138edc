using ImageBuilder.Operator.Api;
using ImageBuilder.Operator.Options;
using ImageBuilder.Operator.Reconciliation;

namespace ImageBuilder.Operator.Tests.Reconciliation;

public sealed class BuildOutcomesTests
{
    private static readonly BuildFailure ServiceFault = new() { Fault = Faults.Service, Reason = "PushFailed", Message = "The registry answered 503." };
    private static readonly BuildFailure UserFault = new() { Fault = Faults.User, Reason = "BuildFailed", Message = "RUN make failed.", LogTail = "make: *** [all] Error 2" };

    public static TheoryData<string, int, int?, bool, string, string> Cases => new()
    {
        // fault, retries so far, spec maxRetries, retryUserFaults → phase, Ready reason
        { Faults.Service, 0, null, false, Phases.Retrying, Reasons.RetryScheduled },
        { Faults.Service, 2, null, false, Phases.Retrying, Reasons.RetryScheduled },
        { Faults.Service, 3, null, false, Phases.Failed, Reasons.RetriesExhausted },
        { Faults.Service, 1, 1, false, Phases.Failed, Reasons.RetriesExhausted },
        { Faults.Service, 0, 0, false, Phases.Failed, Reasons.RetriesExhausted },
        { Faults.User, 0, null, false, Phases.Failed, "BuildFailed" },
        { Faults.User, 0, null, true, Phases.Retrying, Reasons.RetryScheduled },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task FailAsync_DecidesRetryOrFinal(string fault, int retries, int? maxRetries, bool retryUserFaults, string phase, string reason)
    {
        var scheduler = new RecordingRetryScheduler();
        var outcomes = new BuildOutcomes(scheduler, Microsoft.Extensions.Options.Options.Create(new RetryOptions { MaxRetries = 3, RetryUserFaults = retryUserFaults }));
        var context = Builds.Context(Builds.New(s => s.MaxRetries = maxRetries), s => (s.Phase, s.Retries) = (Phases.Pending, retries));

        await outcomes.FailAsync(context, fault == Faults.User ? UserFault : ServiceFault, CancellationToken.None);
        ReadySummary.Apply(context);

        Assert.Equal(phase, context.Status.Phase);
        Assert.Equal(reason, context.Status.Conditions!.Single(c => c.Type == ConditionTypes.Ready).Reason);
        Assert.Equal(retries + 1, context.Status.LastFailure!.Attempt);
        Assert.Equal(phase == Phases.Retrying ? 1 : 0, scheduler.Scheduled.Count);
        Assert.Equal(phase == Phases.Failed, context.Status.CompletionTime is not null);
    }

    [Fact]
    public async Task FailAsync_ServiceFault_SchedulesNextAttemptAfterTheFirstRetryDelay()
    {
        var scheduler = new RecordingRetryScheduler();
        var outcomes = new BuildOutcomes(scheduler, Microsoft.Extensions.Options.Options.Create(new RetryOptions { BaseDelay = TimeSpan.FromSeconds(10) }));
        var context = Builds.Context(status: s => s.Phase = Phases.Pending);

        var result = await outcomes.FailAsync(context, ServiceFault, CancellationToken.None);

        var scheduled = Assert.Single(scheduler.Scheduled);
        Assert.Equal(2, scheduled.Attempt);
        Assert.Equal(TimeSpan.FromSeconds(10), scheduled.Delay);
        Assert.Equal(2, context.Status.ScheduledAttempt);
        Assert.Equal((Builds.Now + TimeSpan.FromSeconds(10)).UtcDateTime, context.Status.NextAttemptTime);
        Assert.Equal(TimeSpan.FromSeconds(10), result.RequeueAfter);
    }

    [Fact]
    public async Task FailAsync_AttemptAlreadyScheduled_DoesNotScheduleItAgain()
    {
        var scheduler = new RecordingRetryScheduler();
        var outcomes = new BuildOutcomes(scheduler, Microsoft.Extensions.Options.Options.Create(new RetryOptions()));
        var context = Builds.Context(status: s => (s.Phase, s.ScheduledAttempt) = (Phases.Pending, 2));

        await outcomes.FailAsync(context, ServiceFault, CancellationToken.None);

        Assert.Empty(scheduler.Scheduled);
        Assert.Equal(Phases.Retrying, context.Status.Phase);
    }

    [Fact]
    public async Task FailAsync_RetriesExhausted_MessageSaysHowManyAttempts()
    {
        var outcomes = new BuildOutcomes(new RecordingRetryScheduler(), Microsoft.Extensions.Options.Options.Create(new RetryOptions { MaxRetries = 2 }));
        var context = Builds.Context(status: s => (s.Phase, s.Retries) = (Phases.Pending, 2));

        await outcomes.FailAsync(context, ServiceFault, CancellationToken.None);
        ReadySummary.Apply(context);

        Assert.Equal("Gave up after 3 attempts: The registry answered 503.", context.Status.Conditions!.Single().Message);
        Assert.Contains(context.Events, e => e is { Type: "Warning", Reason: Reasons.RetriesExhausted });
    }
}
