using System.ComponentModel;
using ImageBuilder.Operator.Api;
using ImageBuilder.Operator.Notifications;
using ImageBuilder.Operator.Options;
using ImageBuilder.Operator.Reconciliation;
using ImageBuilder.Operator.Reconciliation.Steps;
using Microsoft.Extensions.Logging.Abstractions;
using MsOptions = Microsoft.Extensions.Options.Options;

namespace ImageBuilder.Operator.Tests.Reconciliation;

public sealed class StepRunnerTests
{
    private const string Token = "tok_do_not_show_1";

    /// <summary>Fails as a missing git executable did (issue 10), holding the token as ResolveSourceStep does: only it can take the token out.</summary>
    private sealed class ThrowingStep(Func<Exception> error) : IReconcileStep
    {
        public bool Throwing { get; set; } = true;

        public Task<StepResult> RunAsync(ReconcileContext context, CancellationToken cancellationToken)
        {
            if (context.IsTerminal || !Throwing)
            {
                return Task.FromResult(StepResult.Continue());
            }
            context.Status.Commit = "half-made change";
            var e = error();
            throw e is OperationCanceledException ? e : new RedactedException(ReconcileErrors.Describe(e, Token));
        }
    }

    private sealed class Notifier : IBuildNotifier
    {
        public List<BuildResponse> Sent { get; } = [];

        public Task<string> NotifyAsync(BuildResponse response, string messageId, CancellationToken cancellationToken)
        {
            Sent.Add(response);
            return Task.FromResult("kusanali.notifications");
        }
    }

    private static Win32Exception GitMissing() =>
        new(2, $"An error occurred trying to start process 'git' with working directory '/app'. No such file or directory (token {Token}, https://user:pw@git.example/x)");

    private readonly RecordingRetryScheduler _scheduler = new();
    private readonly Notifier _notifier = new();

    /// <summary>A runner and the steps it runs, as ImageBuildReconciler holds them.</summary>
    private sealed record Pipeline(StepRunner Runner, IReconcileStep[] Steps)
    {
        public Task<(ReconcileContext Context, StepResult Result)> RunAsync(ReconcileContext context, CancellationToken cancellationToken) =>
            Runner.RunAsync(context, Steps, cancellationToken);
    }

    private static StepRunner NewRunner(BuildOutcomes outcomes, ReconcileOptions options) =>
        new(new ReconcileErrors(outcomes, MsOptions.Create(options)), NullLogger<StepRunner>.Instance);

    private Pipeline Runner(ThrowingStep step, int maxErrors, int maxRetries) =>
        new(NewRunner(new BuildOutcomes(_scheduler, MsOptions.Create(new RetryOptions { MaxRetries = maxRetries })), new ReconcileOptions { MaxConsecutiveErrors = maxErrors }),
            [new AcceptStep(), step, new NotifyStep(_notifier, new InMemoryNotificationOrder(), Builds.Outcomes(), NullLogger<NotifyStep>.Instance)]);

    /// <summary>One reconcile as ImageBuildReconciler runs it, with the status write applied to the object.</summary>
    private static async Task<(ReconcileContext Context, StepResult Result)> ReconcileAsync(Pipeline runner, ImageBuild build)
    {
        var (context, result) = await runner.RunAsync(new ReconcileContext(build, ImageBuildStore.CopyStatus(build.Status), Builds.Now), CancellationToken.None);
        build.Status = context.Status;
        return (context, result);
    }

    [Fact]
    public async Task Run_StepThrows_FirstFailureShowsConditionAndEventWithoutSecrets()
    {
        var build = Builds.New();

        var (context, result) = await ReconcileAsync(Runner(new ThrowingStep(GitMissing), maxErrors: 5, maxRetries: 3), build);

        Assert.NotNull(result.Error);
        var ready = context.Status.Conditions!.Single(c => c.Type == ConditionTypes.Ready);
        Assert.Equal(("False", Reasons.ReconcileError), (ready.Status, ready.Reason));
        Assert.Contains("Throwing", ready.Message, StringComparison.Ordinal);
        Assert.Contains("Win32Exception", ready.Message, StringComparison.Ordinal);
        Assert.Contains("start process 'git'", ready.Message, StringComparison.Ordinal);
        Assert.Contains("1 of 5", ready.Message, StringComparison.Ordinal);
        Assert.Equal(Phases.Pending, context.Status.Phase);
        Assert.Equal(1, context.Status.ReconcileErrors);
        Assert.Null(context.Status.Commit);
        var warning = Assert.Single(context.Events);
        Assert.Equal(("Warning", Reasons.ReconcileError), (warning.Type, warning.Reason));
        foreach (var text in new[] { ready.Message, warning.Message })
        {
            Assert.DoesNotContain(Token, text, StringComparison.Ordinal);
            Assert.DoesNotContain("user:pw", text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Run_StepKeepsThrowing_EndsAsServiceFaultAndKusanaliIsNotified()
    {
        var build = Builds.New();
        var runner = Runner(new ThrowingStep(GitMissing), maxErrors: 3, maxRetries: 0);

        var second = await ReconcileAsync(runner, build);
        second = await ReconcileAsync(runner, build);
        Assert.Equal(2, build.Status!.ReconcileErrors);
        Assert.Empty(second.Context.Events); // one Event for the first error, not one per retry
        var (context, result) = await ReconcileAsync(runner, build);

        Assert.Equal(Phases.Failed, context.Status.Phase);
        Assert.Equal((Faults.Service, Reasons.ReconcileError), (context.Status.LastFailure!.Fault, context.Status.LastFailure.Reason));
        Assert.Equal(Reasons.RetriesExhausted, context.Status.Conditions!.Single(c => c.Type == ConditionTypes.Ready).Reason);
        Assert.Null(context.Status.ReconcileErrors);
        Assert.Equal(TimeSpan.Zero, result.RequeueAfter);
        Assert.Empty(_notifier.Sent);

        await ReconcileAsync(runner, build);

        var response = Assert.Single(_notifier.Sent);
        Assert.Equal((BuildResponse.StatusFailed, Faults.Service), (response.Status, response.Fault));
        Assert.Contains("Win32Exception", response.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Token, response.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_LimitReachedWithRetriesLeft_SchedulesTheNextAttemptThroughTheFailQueue()
    {
        var build = Builds.New();
        var runner = Runner(new ThrowingStep(GitMissing), maxErrors: 2, maxRetries: 1);

        await ReconcileAsync(runner, build);
        var (context, result) = await ReconcileAsync(runner, build);

        Assert.Equal(Phases.Retrying, context.Status.Phase);
        var (attempt, _, failure) = Assert.Single(_scheduler.Scheduled);
        Assert.Equal((2, Faults.Service, Reasons.ReconcileError), (attempt, failure.Fault, failure.Reason));
        Assert.True(result.Stop);
        Assert.Null(context.Status.ReconcileErrors);
    }

    [Fact]
    public async Task Run_StepThrowsAfterTheNextAttemptStarted_KeepsTheStartedAttempt()
    {
        // Attempt 1 ended in the fail queue; its release arrives, RetryStep starts attempt 2, then a step throws.
        var build = Builds.New();
        build.Status = new ImageBuildStatus { Phase = Phases.Retrying, ScheduledAttempt = 2, LastFailure = new BuildFailure { Message = "m" } };
        _scheduler.ReleasedUpTo = 2;
        var runner = new Pipeline(NewRunner(new BuildOutcomes(_scheduler, MsOptions.Create(new RetryOptions { MaxRetries = 3 })), new ReconcileOptions()),
            [new AcceptStep(), new RetryStep(_scheduler), new ThrowingStep(GitMissing)]);

        var (context, _) = await ReconcileAsync(runner, build);

        Assert.Equal((1, Phases.Pending, 1), (context.Status.Retries, context.Status.Phase, context.Status.ReconcileErrors));
        Assert.Equal([Reasons.RetryStarted, Reasons.ReconcileError], context.Events.Select(e => e.Reason));
    }

    [Fact]
    public async Task Run_CountComesFromStatus_AnOperatorRestartDoesNotResetIt()
    {
        // As read by a freshly started operator: two errors were recorded by the previous process.
        var build = Builds.New();
        build.Status = new ImageBuildStatus { Phase = Phases.Pending, ReconcileErrors = 2 };

        var (context, _) = await ReconcileAsync(Runner(new ThrowingStep(GitMissing), maxErrors: 3, maxRetries: 0), build);

        Assert.Equal(Phases.Failed, context.Status.Phase);
        Assert.Equal(Reasons.ReconcileError, context.Status.LastFailure!.Reason);
    }

    [Fact]
    public async Task Run_StepSucceedsAgain_ResetsTheCountAndSaysItRecovered()
    {
        var step = new ThrowingStep(GitMissing);
        var build = Builds.New();
        var runner = Runner(step, maxErrors: 3, maxRetries: 0);
        await ReconcileAsync(runner, build);
        await ReconcileAsync(runner, build);

        step.Throwing = false;
        var (context, result) = await ReconcileAsync(runner, build);

        Assert.Null(result.Error);
        Assert.Null(context.Status.ReconcileErrors);
        Assert.Equal(Reasons.ReconcileRecovered, context.Status.Conditions!.Single(c => c.Type == ConditionTypes.Ready).Reason);
        Assert.Equal(Phases.Pending, context.Status.Phase);
    }

    [Fact]
    public async Task Run_TerminalBuildThrows_KeepsItsOutcomeAndStopsAfterTheLimit()
    {
        var build = Builds.New();
        build.Status = new ImageBuildStatus
        {
            Phase = Phases.Succeeded,
            Notification = new NotificationStatus { Queue = "q" },
            Conditions = [new k8s.Models.V1Condition { Type = ConditionTypes.Ready, Status = "True", Reason = Reasons.BuildSucceeded, Message = "m" }],
        };
        var alwaysThrows = new Pipeline(NewRunner(new BuildOutcomes(_scheduler, MsOptions.Create(new RetryOptions())), new ReconcileOptions { MaxConsecutiveErrors = 2 }),
            [new FailingCleanup()]);

        var (first, firstResult) = await ReconcileAsync(alwaysThrows, build);
        var (second, secondResult) = await ReconcileAsync(alwaysThrows, build);

        Assert.NotNull(firstResult.Error);
        Assert.Single(first.Events);
        Assert.Equal((true, null), (secondResult.Stop, secondResult.Error));
        Assert.Equal(Phases.Succeeded, second.Status.Phase);
        Assert.Equal(Reasons.BuildSucceeded, second.Status.Conditions!.Single().Reason);
        Assert.Empty(_scheduler.Scheduled);
    }

    [Fact]
    public async Task Run_ReconcileCancelled_LetsTheCancellationThrough()
    {
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        var runner = Runner(new ThrowingStep(() => new OperationCanceledException(cancelled.Token)), maxErrors: 3, maxRetries: 0);

        await Assert.ThrowsAsync<OperationCanceledException>(() =>
            runner.RunAsync(Builds.Context(), cancelled.Token));
    }

    [Fact]
    public void Describe_KeepsOneShortLineWithoutTokenOrCredentials()
    {
        var text = ReconcileErrors.Describe(new InvalidOperationException($"first {Token} https://u:p@h/x\nsecond line " + new string('x', 2000)), Token);

        Assert.StartsWith("InvalidOperationException: first *** https://***@h/x", text, StringComparison.Ordinal);
        Assert.DoesNotContain("second line", text, StringComparison.Ordinal);
    }

    private sealed class FailingCleanup : IReconcileStep
    {
        public Task<StepResult> RunAsync(ReconcileContext context, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("cleanup broke");
    }
}
