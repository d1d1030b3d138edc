using ImageBuilder.Operator.Reconciliation;

namespace ImageBuilder.Operator.Tests.Reconciliation;

public sealed class ReconcileContextTests
{
    [Fact]
    public void SetCondition_SameStatus_KeepsTransitionTime()
    {
        var later = FiveMinutesAfterBuildStarted();

        later.SetCondition("Ready", "False", "JobRunning", "m2");

        var ready = Assert.Single(later.Status.Conditions!);
        Assert.Equal(Builds.Now.UtcDateTime, ready.LastTransitionTime);
        Assert.Equal(("JobRunning", "m2", 1L), (ready.Reason, ready.Message, ready.ObservedGeneration));
    }

    [Fact]
    public void SetCondition_StatusChanges_MovesTransitionTime()
    {
        var later = FiveMinutesAfterBuildStarted();

        later.SetCondition("Ready", "True", "BuildSucceeded", "done");

        Assert.Equal(Builds.Now.AddMinutes(5).UtcDateTime, Assert.Single(later.Status.Conditions!).LastTransitionTime);
    }

    [Theory]
    [InlineData("app", 1, "app-1")]
    [InlineData("a-name-that-is-exactly-sixty-characters-long-xxxxxxxxxxxxxx", 12, null)]
    public void JobNames_FitTheLabelLimitAndAreStable(string name, int attempt, string? expected)
    {
        var build = Builds.New();
        build.Metadata.Name = name;

        var job = JobNames.For(build, attempt);

        Assert.True(job.Length <= 63);
        Assert.EndsWith($"-{attempt}", job, StringComparison.Ordinal);
        Assert.Equal(job, JobNames.For(build, attempt));
        if (expected is not null)
        {
            Assert.Equal(expected, job);
        }
    }

    /// <summary>A reconcile five minutes after one that set Ready False (BuildStarted), on the status that one wrote.</summary>
    private static ReconcileContext FiveMinutesAfterBuildStarted()
    {
        var first = Builds.Context();
        first.SetCondition("Ready", "False", "BuildStarted", "m1");
        return new ReconcileContext(first.Build, first.Status, Builds.Now.AddMinutes(5));
    }
}
