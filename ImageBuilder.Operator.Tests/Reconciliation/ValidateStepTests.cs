using ImageBuilder.Operator.Api;
using ImageBuilder.Operator.Reconciliation.Steps;

namespace ImageBuilder.Operator.Tests.Reconciliation;

public sealed class ValidateStepTests
{
    public static TheoryData<string, Action<ImageBuildSpec>, string?> Cases => new()
    {
        { "valid branch build", _ => { }, null },
        { "tag without tag", s => { s.Source.Type = RefTypes.Tag; }, "'tag' is required" },
        { "release without release", s => { s.Source.Type = RefTypes.Release; }, "'release' is required" },
        { "release on git", s => { s.Source = new SourceSpec { Connector = Connectors.Git, Repo = "https://git.example/app.git", Type = RefTypes.Release, Release = "v1" }; }, "needs the github connector" },
        { "github repo as URL", s => { s.Source.Repo = "https://github.com/owner/app"; }, "'owner/name'" },
        { "dot-dot repo", s => { s.Source.Repo = "owner/.."; }, "names no repository" },
        { "git URL with credentials", s => { s.Source = new SourceSpec { Connector = Connectors.Git, Repo = "https://user:pw@git.example/app.git" }; }, "must not carry credentials" },
        { "ref with dot-dot", s => { s.Source.Branch = "main/../x"; }, "'branch' is not a valid git ref name" },
        { "root directory escaping", s => { s.BuildPlan = new BuildPlanSpec { RootDirectory = "../other" }; }, "rootDirectory" },
        { "absolute dockerfile", s => { s.BuildPlan = new BuildPlanSpec { DockerfilePath = "/etc/passwd" }; }, "dockerfilePath" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Validate_ReportsWhatTheSchemaCannot(string name, Action<ImageBuildSpec> change, string? expected)
    {
        var errors = ValidateStep.Validate(Builds.New(change).Spec);

        if (expected is null)
        {
            Assert.True(errors.Count == 0, $"{name}: {string.Join(" ", errors)}");
        }
        else
        {
            Assert.Contains(errors, e => e.Contains(expected, StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task Run_InvalidSpec_FailsAsUserFaultWithoutRetry()
    {
        var scheduler = new RecordingRetryScheduler();
        var step = new ValidateStep(new ImageBuilder.Operator.Reconciliation.BuildOutcomes(scheduler, Microsoft.Extensions.Options.Options.Create(new ImageBuilder.Operator.Options.RetryOptions())));
        var context = Builds.Context(Builds.New(s => s.Source.Type = RefTypes.Tag), s => s.Phase = Phases.Pending);

        var result = await step.RunAsync(context, CancellationToken.None);

        Assert.False(result.Stop);
        Assert.Equal(Phases.Failed, context.Status.Phase);
        Assert.Equal(Faults.User, context.Status.LastFailure!.Fault);
        Assert.Equal("InvalidSpec", context.Status.LastFailure.Reason);
        Assert.Empty(scheduler.Scheduled);
    }
}
