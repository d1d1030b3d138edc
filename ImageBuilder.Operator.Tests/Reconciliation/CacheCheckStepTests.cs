using ImageBuilder.Operator.Api;
using ImageBuilder.Operator.Builds;
using ImageBuilder.Operator.Options;
using ImageBuilder.Operator.Reconciliation;
using ImageBuilder.Operator.Reconciliation.Steps;
using MsOptions = Microsoft.Extensions.Options.Options;

namespace ImageBuilder.Operator.Tests.Reconciliation;

public sealed class CacheCheckStepTests
{
    private sealed class Registry(RegistryLookup answer) : IRegistryClient
    {
        public List<string> Asked { get; } = [];

        public Task<RegistryLookup> GetDigestAsync(string repository, string tag, CancellationToken cancellationToken)
        {
            Asked.Add($"{repository}:{tag}");
            return Task.FromResult(answer);
        }
    }

    private static (CacheCheckStep Step, Registry Registry, RecordingRetryScheduler Scheduler) Create(RegistryLookup answer)
    {
        var registry = new Registry(answer);
        var scheduler = new RecordingRetryScheduler();
        var namer = new ImageNamer(MsOptions.Create(new BuildOptions { Registry = "127.0.0.1:5000" }));
        return (new CacheCheckStep(namer, registry, new BuildOutcomes(scheduler, MsOptions.Create(new RetryOptions()))), registry, scheduler);
    }

    [Fact]
    public async Task Run_TagExists_SucceedsWithTheExistingDigestAndNoJob()
    {
        var (step, registry, _) = Create(RegistryLookup.Exists("sha256:feed"));
        var context = Builds.Context(status: s => (s.Commit, s.Phase) = ("c0ffee", Phases.Pending));

        await Builds.RunAsync(step, context);

        Assert.Equal(["127.0.0.1:5000/18008/app:c0ffee"], registry.Asked);
        Assert.Equal((Phases.Succeeded, "sha256:feed", "127.0.0.1:5000/18008/app:c0ffee"), (context.Status.Phase, context.Status.Digest, context.Status.Image));
        Assert.Equal(Reasons.CacheHit, context.Status.Conditions!.Single().Reason);
        Assert.False(BuildLifecycle.NeedsJob(context));
    }

    [Fact]
    public async Task Run_TagMissing_LeavesTheBuildToTheJob()
    {
        var (step, _, _) = Create(RegistryLookup.NotFound);
        var context = Builds.Context(status: s => { s.Commit = "c0ffee"; s.Phase = Phases.Pending; });

        await step.RunAsync(context, CancellationToken.None);

        Assert.Equal(Phases.Pending, context.Status.Phase);
        Assert.Equal("127.0.0.1:5000/18008/app:c0ffee", context.Status.Image);
        Assert.True(BuildLifecycle.NeedsJob(context));
    }

    [Fact]
    public async Task Run_RegistryUnavailable_IsAServiceFaultThatRetries()
    {
        var (step, _, scheduler) = Create(RegistryLookup.Failure("The registry answered 503."));
        var context = Builds.Context(status: s => (s.Commit, s.Phase) = ("c0ffee", Phases.Pending));

        await step.RunAsync(context, CancellationToken.None);

        Assert.Equal(Phases.Retrying, context.Status.Phase);
        Assert.Equal((Faults.Service, Reasons.RegistryUnavailable), (context.Status.LastFailure!.Fault, context.Status.LastFailure.Reason));
        Assert.Single(scheduler.Scheduled);
    }
}
