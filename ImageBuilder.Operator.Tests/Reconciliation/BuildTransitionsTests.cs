using ImageBuilder.Operator.Api;
using ImageBuilder.Operator.Metrics;
using ImageBuilder.Operator.Reconciliation;
using k8s.Models;

namespace ImageBuilder.Operator.Tests.Reconciliation;

public sealed class BuildTransitionsTests
{
    private static readonly DateTime Created = new(2026, 1, 1, 12, 0, 0, DateTimeKind.Utc);

    [Theory]
    [InlineData(Reasons.BuildSucceeded, "succeeded")]
    [InlineData(Reasons.CacheHit, "cache_hit")]
    public void Completion_BuildingToSucceeded_OutcomeFromReadyReason(string reason, string outcome)
    {
        var written = Status(Phases.Succeeded, reason, Created.AddSeconds(42));

        var completion = BuildTransitions.Completion(Build(), Status(Phases.Building), written);

        Assert.Equal(new BuildCompletion(outcome, MetricLabels.NoFault, TimeSpan.FromSeconds(42)), completion);
    }

    [Theory]
    [InlineData(Faults.User)]
    [InlineData(Faults.Service)]
    public void Completion_RetryingToFailed_FailedWithFault(string fault)
    {
        var written = Status(Phases.Failed, Reasons.RetriesExhausted, Created.AddMinutes(2));
        written.LastFailure = new BuildFailure { Fault = fault };

        var completion = BuildTransitions.Completion(Build(), Status(Phases.Retrying), written);

        Assert.Equal(new BuildCompletion(MetricLabels.Failed, fault, TimeSpan.FromMinutes(2)), completion);
    }

    [Theory]
    [InlineData(Phases.Succeeded, Phases.Succeeded)]
    [InlineData(Phases.Failed, Phases.Failed)]
    [InlineData(Phases.Pending, Phases.Building)]
    [InlineData(Phases.Building, Phases.Retrying)]
    public void Completion_NotAnEndingWrite_Null(string before, string after)
    {
        Assert.Null(BuildTransitions.Completion(Build(), Status(before), Status(after, Reasons.BuildSucceeded, Created)));
    }

    [Fact]
    public void Completion_NoStatusBeforeAndCacheHitAtOnce_Counted()
    {
        var completion = BuildTransitions.Completion(Build(), null, Status(Phases.Succeeded, Reasons.CacheHit, Created.AddMilliseconds(300)));

        Assert.Equal(MetricLabels.CacheHit, completion?.Outcome);
    }

    [Fact]
    public void Completion_CompletionBeforeCreationSecond_ZeroDuration()
    {
        var completion = BuildTransitions.Completion(Build(), null, Status(Phases.Succeeded, Reasons.CacheHit, Created.AddMilliseconds(-300)));

        Assert.Equal(TimeSpan.Zero, completion?.Duration);
    }

    private static ImageBuild Build() => new() { Metadata = new V1ObjectMeta { Name = "b", NamespaceProperty = "n", CreationTimestamp = Created } };

    private static ImageBuildStatus Status(string phase, string? reason = null, DateTime? completed = null) => new()
    {
        Phase = phase,
        CompletionTime = completed,
        Conditions = reason is null ? null : [new V1Condition { Type = ConditionTypes.Ready, Status = "True", Reason = reason, Message = "m", LastTransitionTime = Created }],
    };
}
