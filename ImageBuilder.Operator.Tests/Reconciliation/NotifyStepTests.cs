using ImageBuilder.Operator.Api;
using ImageBuilder.Operator.Notifications;
using ImageBuilder.Operator.Reconciliation;
using ImageBuilder.Operator.Reconciliation.Steps;
using Microsoft.Extensions.Logging.Abstractions;

namespace ImageBuilder.Operator.Tests.Reconciliation;

public sealed class NotifyStepTests
{
    private sealed class Notifier(Exception? failure = null) : IBuildNotifier
    {
        public List<(BuildResponse Response, string Id)> Sent { get; } = [];

        public Task<string> NotifyAsync(BuildResponse response, string messageId, CancellationToken cancellationToken)
        {
            if (failure is not null)
            {
                throw failure;
            }
            Sent.Add((response, messageId));
            return Task.FromResult(response.IsError ? "kusanali.notifications" : "container-manager.images");
        }
    }

    /// <summary>One run of the step as the reconciler wires it, with a fresh notification order.</summary>
    private static Task<StepResult> RunAsync(IBuildNotifier notifier, ReconcileContext context) =>
        new NotifyStep(notifier, new InMemoryNotificationOrder(), Builds.Outcomes(), NullLogger<NotifyStep>.Instance).RunAsync(context, CancellationToken.None);

    [Fact]
    public async Task Run_Succeeded_SendsTheContractResponseOnceAndRecordsTheConfirm()
    {
        var notifier = new Notifier();
        var context = Builds.Context(status: s =>
        {
            s.Phase = Phases.Succeeded; s.Digest = "sha256:abc"; s.Image = "r/18008/app:c0ffee"; s.Commit = "c0ffee";
        });

        await RunAsync(notifier, context);
        await RunAsync(notifier, context);

        var (response, id) = Assert.Single(notifier.Sent);
        Assert.Equal("uid-1-1", id);
        Assert.Equal(new BuildResponse
        {
            ApplicationId = "app",
            UserId = "18008",
            Repo = "owner/app",
            Status = "success",
            ImageId = "sha256:abc",
            ImageName = "r/18008/app:c0ffee",
            BuildCommit = "c0ffee",
            Attempts = 1,
            ImageBuild = "team/app",
        }, response);
        Assert.Equal("container-manager.images", context.Status.Notification!.Queue);
    }

    [Fact]
    public async Task Run_Failed_SendsFaultMessageAndLogTail()
    {
        var notifier = new Notifier();
        var context = Builds.Context(status: s =>
        {
            s.Phase = Phases.Failed; s.Retries = 2;
            s.LastFailure = new BuildFailure { Fault = Faults.User, Reason = "BuildFailed", Message = "RUN make failed.", LogTail = "Error 2" };
        });
        context.SetCondition("Ready", "False", "BuildFailed", "RUN make failed.");

        await RunAsync(notifier, context);

        var (response, id) = Assert.Single(notifier.Sent);
        Assert.Equal("uid-1-3", id);
        Assert.True(response.IsError);
        Assert.Equal(("failed", "user", "RUN make failed.", "Error 2", 3), (response.Status, response.Fault, response.Message, response.BuildOutput, response.Attempts));
    }

    [Fact]
    public async Task Run_BrokerDidNotConfirm_LeavesNotificationUnsetAndAsksForRetry()
    {
        var context = Builds.Context(status: s => s.Phase = Phases.Succeeded);

        var result = await RunAsync(new Notifier(new TimeoutException("no confirm")), context);

        Assert.True(result.Stop);
        Assert.NotNull(result.Error);
        Assert.Null(context.Status.Notification);
    }
}
