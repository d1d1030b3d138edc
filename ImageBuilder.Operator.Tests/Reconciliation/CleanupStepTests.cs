using ImageBuilder.Operator.Api;
using ImageBuilder.Operator.Options;
using ImageBuilder.Operator.Reconciliation;
using ImageBuilder.Operator.Reconciliation.Steps;
using k8s.Models;
using MsOptions = Microsoft.Extensions.Options.Options;

namespace ImageBuilder.Operator.Tests.Reconciliation;

public sealed class CleanupStepTests
{
    private readonly InMemoryObjects<V1Secret> _secrets = new();
    private readonly InMemoryObjects<V1Job> _jobs = new();

    private CleanupStep Step(int keepSucceeded = 3, int keepFailed = 3) =>
        new(new BuildTeardown(_jobs, _jobs, _secrets, _secrets), _jobs, _jobs, MsOptions.Create(new BuildOptions { SuccessfulJobsHistoryLimit = keepSucceeded, FailedJobsHistoryLimit = keepFailed }));

    private static ImageBuild Build() => Builds.New(s => s.Source.TokenSecretRef = new SecretKeyRef { Name = "app-token" });

    private static ReconcileContext Ended(ImageBuild build, string phase = Phases.Succeeded) =>
        Builds.Context(build, s => (s.Phase, s.Notification) = (phase, new NotificationStatus { Queue = "q" }));

    private void AddSecret(string? ownerUid = null, string? buildLabel = null) => _secrets.With(new V1Secret
    {
        Metadata = new V1ObjectMeta
        {
            Name = "app-token",
            NamespaceProperty = "team",
            OwnerReferences = ownerUid is null ? null : [new V1OwnerReference { Uid = ownerUid, Name = "app", Kind = "ImageBuild", ApiVersion = "v1" }],
            Labels = buildLabel is null ? null : new Dictionary<string, string> { [Annotations.BuildLabel] = buildLabel },
        },
    });

    private void AddJob(string name, int attempt, bool? succeeded, string ownerUid = "uid-1") => _jobs.With(new V1Job
    {
        Metadata = new V1ObjectMeta
        {
            Name = name,
            NamespaceProperty = "team",
            OwnerReferences = [new V1OwnerReference { Uid = ownerUid, Name = "app", Kind = "ImageBuild", ApiVersion = "v1" }],
            Labels = new Dictionary<string, string>
            {
                [Annotations.ManagedByLabel] = Annotations.ManagedByValue,
                [Annotations.AttemptLabel] = attempt.ToString(System.Globalization.CultureInfo.InvariantCulture),
            },
        },
        Status = succeeded switch
        {
            true => new V1JobStatus { Succeeded = 1, CompletionTime = Builds.Now.UtcDateTime },
            false => new V1JobStatus { Failed = 1 },
            null => new V1JobStatus { Active = 1 },
        },
    });

    public static TheoryData<string, bool, bool?> NotYet => new()
    {
        // phase, notified, already cleaned up
        { Phases.Building, true, null },
        { Phases.Retrying, true, null },
        { Phases.Succeeded, false, null },
        { Phases.Failed, false, null },
        { Phases.Succeeded, true, true },
    };

    [Theory]
    [MemberData(nameof(NotYet))]
    public async Task Run_NotEndedNotifiedOrAlreadyCleaned_TouchesNothing(string phase, bool notified, bool? cleanedUp)
    {
        AddSecret(ownerUid: "uid-1");
        AddJob("app-1", 1, true);
        var context = Builds.Context(Build(), s => (s.Phase, s.Notification, s.CleanedUp) = (phase, notified ? new NotificationStatus { Queue = "q" } : null, cleanedUp));

        var result = await Step(keepSucceeded: 0).RunAsync(context, CancellationToken.None);

        Assert.False(result.Stop);
        Assert.Equal(cleanedUp, context.Status.CleanedUp);
        Assert.Empty(_secrets.Reads);
        Assert.Empty(_secrets.Deleted);
        Assert.Empty(_jobs.Deleted);
    }

    [Theory]
    [InlineData("uid-1", null, true)]     // owned by this build (the bridge made it)
    [InlineData(null, "app", true)]       // labelled for this build
    [InlineData("uid-other", null, false)] // another build's
    [InlineData(null, null, false)]       // the user's shared Secret
    public async Task Run_Ended_DeletesTheTokenSecretOnlyWhenTheBuildOwnsIt(string? ownerUid, string? buildLabel, bool deleted)
    {
        AddSecret(ownerUid, buildLabel);

        var context = Ended(Build());
        var result = await Step().RunAsync(context, CancellationToken.None);

        Assert.False(result.Stop);
        Assert.Equal(deleted ? [("team", "app-token")] : [], _secrets.Deleted);
        Assert.True(context.Status.CleanedUp);
    }

    [Fact]
    public async Task Run_TokenSecretAlreadyGone_StillCleansUp()
    {
        var context = Ended(Build(), Phases.Failed);

        await Step().RunAsync(context, CancellationToken.None);

        Assert.Equal([("team", "app-token")], _secrets.Reads);
        Assert.Empty(_secrets.Deleted);
        Assert.True(context.Status.CleanedUp);
    }

    [Fact]
    public async Task Run_Ended_PrunesFinishedJobsBeyondTheLimitsOldestAttemptFirst()
    {
        AddJob("app-1", 1, false);
        AddJob("app-2", 2, false);
        AddJob("app-3", 3, false);
        AddJob("app-4", 4, true);
        AddJob("app-5", 5, null);                       // still running: never pruned
        AddJob("other-1", 1, false, ownerUid: "uid-2"); // another build's

        var context = Ended(Build());
        await Step(keepSucceeded: 1, keepFailed: 1).RunAsync(context, CancellationToken.None);

        Assert.Equal(["app-1", "app-2"], _jobs.Deleted.Select(d => d.Name).Order(StringComparer.Ordinal));
        Assert.True(context.Status.CleanedUp);
    }
}
