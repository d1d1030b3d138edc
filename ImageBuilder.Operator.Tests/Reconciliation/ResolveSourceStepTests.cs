using System.Text;
using ImageBuilder.Operator.Api;
using ImageBuilder.Operator.Options;
using ImageBuilder.Operator.Reconciliation;
using ImageBuilder.Operator.Reconciliation.Steps;
using ImageBuilder.Operator.Sources;
using k8s.Models;
using MsOptions = Microsoft.Extensions.Options.Options;

namespace ImageBuilder.Operator.Tests.Reconciliation;

public sealed class ResolveSourceStepTests
{
    private const string Token = "ghp_resolve_1";
    private static readonly ReconcileOptions Reconcile = new() { TokenSecretTimeout = TimeSpan.FromMinutes(10), TokenSecretPollInterval = TimeSpan.FromSeconds(5) };

    private sealed class Resolver(SourceResolution answer) : ISourceResolver
    {
        public List<(SourceSpec Source, string? Token)> Asked { get; } = [];

        public Task<SourceResolution> ResolveAsync(SourceSpec source, string? token, CancellationToken cancellationToken)
        {
            Asked.Add((source, token));
            return Task.FromResult(answer);
        }
    }

    private readonly RecordingRetryScheduler _scheduler = new();
    private readonly InMemoryObjects<V1Secret> _secrets = new();

    private ResolveSourceStep Step(Resolver resolver) =>
        new(resolver, new TokenReader(_secrets), new BuildOutcomes(_scheduler, MsOptions.Create(new RetryOptions { MaxRetries = 3 })), MsOptions.Create(Reconcile));

    private static ImageBuild WithTokenSecret() => Builds.New(s => s.Source.TokenSecretRef = new SecretKeyRef { Name = "app-token" });

    private void AddTokenSecret() => _secrets.With(new V1Secret
    {
        Metadata = new V1ObjectMeta { Name = "app-token", NamespaceProperty = "team" },
        Data = new Dictionary<string, byte[]> { ["token"] = Encoding.UTF8.GetBytes(Token) },
    });

    public static TheoryData<string?, string?, int> NoJobNeeded => new()
    {
        // phase, job, retries: the attempt is over, waiting for its retry, or has its Job
        { Phases.Succeeded, null, 0 },
        { Phases.Failed, null, 0 },
        { Phases.Retrying, null, 0 },
        { Phases.Building, "app-1", 0 },
        { Phases.Building, "app-2", 1 },
    };

    [Theory]
    [MemberData(nameof(NoJobNeeded))]
    public async Task Run_NoJobNeeded_ReadsNothingAndContinues(string? phase, string? job, int retries)
    {
        var resolver = new Resolver(SourceResolution.Resolved("c0ffee", null, null, "main"));
        var build = WithTokenSecret();
        var context = Builds.Context(build, s => (s.Phase, s.Job, s.Retries) = (phase, job is null ? null : JobName(build, job), retries));

        var (result, resolved) = await Step(resolver).RunAsync(context, CancellationToken.None);

        Assert.False(result.Stop);
        Assert.Null(resolved);
        Assert.Empty(resolver.Asked);
        Assert.Empty(_secrets.Reads);
        Assert.Null(context.Status.Conditions);
    }

    [Fact]
    public async Task Run_Resolved_RecordsCommitConditionEventAndWhereTheJobFetches()
    {
        AddTokenSecret();
        var resolver = new Resolver(SourceResolution.Resolved("c0ffee", "http://127.0.0.1:8090/archive", "http://127.0.0.1:8090/clone.git", "main"));
        var context = Builds.Context(WithTokenSecret(), s => (s.Phase, s.Ref) = (Phases.Pending, "branch main"));

        var (result, resolved) = await Step(resolver).RunAsync(context, CancellationToken.None);

        Assert.False(result.Stop);
        var (source, token) = Assert.Single(resolver.Asked);
        Assert.Equal((RefTypes.Repo, Token), (source.Type, token));
        Assert.Equal("c0ffee", context.Status.Commit);
        Assert.Equal(("http://127.0.0.1:8090/archive", "http://127.0.0.1:8090/clone.git"), (resolved!.ArchiveUrl, resolved.CloneUrl));
        var condition = Assert.Single(context.Status.Conditions!);
        Assert.Equal((ConditionTypes.SourceResolved, "True", Reasons.Resolved), (condition.Type, condition.Status, condition.Reason));
        Assert.Equal([Reasons.Resolved], context.Events.Select(e => e.Reason));
    }

    [Fact]
    public async Task Run_LaterAttempt_ResolvesThePinnedCommitNotTheBranch()
    {
        AddTokenSecret();
        var resolver = new Resolver(SourceResolution.Resolved("c0ffee", null, null, "main"));
        var context = Builds.Context(WithTokenSecret(), s => (s.Phase, s.Commit, s.Retries) = (Phases.Pending, "c0ffee", 1));

        await Step(resolver).RunAsync(context, CancellationToken.None);

        var (source, _) = Assert.Single(resolver.Asked);
        Assert.Equal((RefTypes.Commit, "c0ffee", "app-token"), (source.Type, source.Commit, source.TokenSecretRef!.Name));
        Assert.Empty(context.Events); // the commit did not change
    }

    [Theory]
    [InlineData(Faults.User, Phases.Failed, 0)]
    [InlineData(Faults.Service, Phases.Retrying, 1)]
    public async Task Run_ResolutionFails_SourceResolvedFalseAndTheAttemptEnds(string fault, string phase, int scheduled)
    {
        AddTokenSecret();
        var failure = new BuildFailure { Fault = fault, Reason = SourceFailureReasons.RepositoryNotFound, Message = "Repository owner/app was not found." };
        var context = Builds.Context(WithTokenSecret(), s => s.Phase = Phases.Pending);

        await Step(new Resolver(SourceResolution.Failed(failure))).RunAsync(context, CancellationToken.None);

        Assert.Equal(phase, context.Status.Phase);
        Assert.Null(context.Status.Commit);
        var resolved = context.Status.Conditions!.Single(c => c.Type == ConditionTypes.SourceResolved);
        Assert.Equal(("False", SourceFailureReasons.RepositoryNotFound), (resolved.Status, resolved.Reason));
        Assert.Equal(scheduled, _scheduler.Scheduled.Count);
    }

    [Theory]
    [InlineData(0, true, 5)]      // first look: Pending, one warning Event, look again after the poll interval
    [InlineData(2, false, 5)]     // still waiting: no second Event
    [InlineData(598, false, 2)]   // the last look comes at the deadline, not past it
    public async Task Run_TokenSecretMissing_WaitsPendingAndPolls(int waitedSeconds, bool firstLook, int requeueSeconds)
    {
        var resolver = new Resolver(SourceResolution.Resolved("c0ffee", null, null, "main"));
        var context = Builds.Context(WithTokenSecret(), s =>
        {
            s.Phase = Phases.Pending;
            s.TokenSecretMissingSince = firstLook ? null : Builds.Now.AddSeconds(-waitedSeconds).UtcDateTime;
        });

        var (result, _) = await Step(resolver).RunAsync(context, CancellationToken.None);
        ReadySummary.Apply(context);

        Assert.Empty(resolver.Asked);
        Assert.Equal((true, TimeSpan.FromSeconds(requeueSeconds)), (result.Stop, result.RequeueAfter));
        Assert.Equal(Phases.Pending, context.Status.Phase);
        Assert.NotNull(context.Status.TokenSecretMissingSince);
        Assert.All(context.Status.Conditions!, c => Assert.Equal(("False", Reasons.TokenSecretMissing), (c.Status, c.Reason)));
        Assert.Equal(firstLook ? 1 : 0, context.Events.Count);
    }

    [Fact]
    public async Task Run_TokenSecretMissingPastTheTimeout_FailsAsUserFault()
    {
        var context = Builds.Context(WithTokenSecret(), s =>
        {
            s.Phase = Phases.Pending;
            s.TokenSecretMissingSince = Builds.Now.AddMinutes(-10).UtcDateTime;
        });

        await Step(new Resolver(SourceResolution.Resolved("c0ffee", null, null, "main"))).RunAsync(context, CancellationToken.None);

        Assert.Equal(Phases.Failed, context.Status.Phase);
        Assert.Equal((Faults.User, Reasons.TokenSecretMissing), (context.Status.LastFailure!.Fault, context.Status.LastFailure.Reason));
        Assert.Null(context.Status.TokenSecretMissingSince);
        Assert.Empty(_scheduler.Scheduled);
    }

    [Fact]
    public async Task Run_TokenSecretAppeared_ClearsTheWaitAndResolvesWithTheToken()
    {
        AddTokenSecret();
        var resolver = new Resolver(SourceResolution.Resolved("c0ffee", null, null, "main"));
        var context = Builds.Context(WithTokenSecret(), s => (s.Phase, s.TokenSecretMissingSince) = (Phases.Pending, Builds.Now.AddMinutes(-1).UtcDateTime));

        await Step(resolver).RunAsync(context, CancellationToken.None);

        Assert.Null(context.Status.TokenSecretMissingSince);
        Assert.Equal(Token, Assert.Single(resolver.Asked).Token);
        Assert.Equal("c0ffee", context.Status.Commit);
    }

    [Fact]
    public async Task Run_ResolverThrows_TheErrorItLeavesCarriesNoToken()
    {
        AddTokenSecret();
        var context = Builds.Context(WithTokenSecret(), s => s.Phase = Phases.Pending);
        var step = new ResolveSourceStep(new ThrowingResolver(), new TokenReader(_secrets), Builds.Outcomes(), MsOptions.Create(Reconcile));

        var thrown = await Assert.ThrowsAsync<RedactedException>(() => step.RunAsync(context, CancellationToken.None));

        Assert.StartsWith("Win32Exception: git not found (token ***)", thrown.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Token, thrown.Message, StringComparison.Ordinal);
        Assert.Equal(thrown.Message, ReconcileErrors.Describe(thrown, null));
    }

    private sealed class ThrowingResolver : ISourceResolver
    {
        public Task<SourceResolution> ResolveAsync(SourceSpec source, string? token, CancellationToken cancellationToken) =>
            throw new System.ComponentModel.Win32Exception(2, $"git not found (token {token})");
    }

    private static string JobName(ImageBuild build, string job) => job == "app-1" ? JobNames.For(build, 1) : JobNames.For(build, 2);
}
