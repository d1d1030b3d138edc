using ImageBuilder.Operator.Api;
using ImageBuilder.Operator.Reconciliation.Steps;

namespace ImageBuilder.Operator.Tests.Reconciliation;

public sealed class AcceptStepTests
{
    [Theory]
    [InlineData(RefTypes.Repo, null, null, "default branch")]
    [InlineData(RefTypes.Repo, "dev", null, "branch dev")]
    [InlineData(RefTypes.Tag, null, null, "tag v1")]
    [InlineData(RefTypes.Release, null, null, "release v2")]
    [InlineData(RefTypes.Commit, null, "3f2c9ab4e1", "commit 3f2c9ab")]
    [InlineData(RefTypes.Commit, "main", "latest", "latest main")]
    public void DescribeRef_ReadsLikeAPersonWouldSayIt(string type, string? branch, string? commit, string expected)
    {
        var source = new SourceSpec { Type = type, Branch = branch, Tag = "v1", Release = "v2", Commit = commit };

        Assert.Equal(expected, AcceptStep.DescribeRef(source));
    }

    [Fact]
    public async Task Run_NewBuild_IsPendingWithReadyUnknown()
    {
        var context = Builds.Context();

        await Builds.RunAsync(new AcceptStep(), context);

        Assert.Equal(Phases.Pending, context.Status.Phase);
        Assert.Equal(("Unknown", "Pending"), (context.Status.Conditions!.Single().Status, context.Status.Conditions!.Single().Reason));
        Assert.Equal("branch main", context.Status.Ref);
    }
}
