using ImageBuilder.Operator.Api;
using ImageBuilder.Operator.Builds;
using ImageBuilder.Operator.Reconciliation;
using ImageBuilder.Operator.Sources;
using Xunit.Abstractions;

namespace ImageBuilder.Operator.Tests.Integration.Reconciliation;

/// <summary>Builds that end in Failed: whose fault, which reason, and what is (not) left behind.</summary>
[Collection(PlatformCollection.Name)]
public sealed class FailedBuildTests(PlatformFixture fixture, ITestOutputHelper output)
{
    [Fact]
    public async Task Reconcile_RunStepFails_FailsAsUserFaultOnceWithOneKusanaliMessage()
    {
        await using var scenario = await BuildScenario.StartAsync(fixture, output, rabbitMq: true);
        var marker = "compile error " + Guid.NewGuid().ToString("N");
        var (repo, token, _) = await scenario.CreateRepositoryAsync(SampleApps.FailingRun(marker));

        await scenario.SubmitAsync(BuildScenario.NewBuild("broken", repo, "broken-token", maxRetries: 3), token);
        var status = await scenario.WaitForEndAsync("broken", Phases.Failed);
        Assert.Equal((Faults.User, BuildReasons.BuildFailed), (status.LastFailure!.Fault, status.LastFailure.Reason));
        Assert.Contains(marker, status.LastFailure.LogTail, StringComparison.Ordinal);
        Assert.Equal(0, status.Retries);
        Assert.Single(await scenario.JobsAsync("broken"));
        var message = Assert.Single(await scenario.Operator.TakeAsync(scenario.Settings.KusanaliQueue, 1, BuildScenario.BuildTimeout));
        Assert.Equal("failed", message.GetProperty("status").GetString());
        Assert.Equal(Faults.User, message.GetProperty("fault").GetString());
        Assert.Contains(marker, message.GetProperty("buildOutput").GetString(), StringComparison.Ordinal);
        Assert.Equal($"{scenario.Namespace}/broken", message.GetProperty("imageBuild").GetString());
        Assert.Equal(0u, await scenario.Operator.ReadyCountAsync(scenario.Settings.KusanaliQueue));
        Assert.Equal(0u, await scenario.Operator.ReadyCountAsync(scenario.Settings.ContainerManagerQueue));
    }

    [Fact]
    public async Task Reconcile_WrongToken_FailsWithTokenRefusedAndNoJob()
    {
        await using var scenario = await BuildScenario.StartAsync(fixture, output);
        var (repo, _, _) = await scenario.CreateRepositoryAsync(SampleApps.Printing("never built"));
        // A token GitHub does not know (revoked, mistyped) is answered 401.
        var wrong = "wrong-" + Guid.NewGuid().ToString("N");

        await scenario.SubmitAsync(BuildScenario.NewBuild("refused", repo, "refused-token", maxRetries: 3), wrong);
        var status = await scenario.WaitForEndAsync("refused", Phases.Failed);
        Assert.Equal((Faults.User, SourceFailureReasons.TokenRefused), (status.LastFailure!.Fault, status.LastFailure.Reason));
        Assert.Equal(SourceFailureReasons.TokenRefused, status.Conditions!.Single(c => c.Type == ConditionTypes.Ready).Reason);
        Assert.Equal(0, status.Retries);
        Assert.Empty(await scenario.JobsAsync("refused"));
        Assert.DoesNotContain(scenario.Operator.Logs.Lines, l => l.Contains(wrong, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Reconcile_TagTypeWithoutTag_FailsWithInvalidSpecNamingTheField()
    {
        await using var scenario = await BuildScenario.StartAsync(fixture, output);
        var build = BuildScenario.NewBuild("no-tag", "rt/whatever", tokenSecret: null);
        build.Spec.Source.Type = RefTypes.Tag;
        build.Spec.Source.Branch = null;

        await scenario.SubmitAsync(build, token: null);
        var status = await scenario.WaitForEndAsync("no-tag", Phases.Failed);
        Assert.Equal((Faults.User, Reasons.InvalidSpec), (status.LastFailure!.Fault, status.LastFailure.Reason));
        var ready = status.Conditions!.Single(c => c.Type == ConditionTypes.Ready);
        Assert.Equal(("False", Reasons.InvalidSpec), (ready.Status, ready.Reason));
        Assert.Contains("'tag'", ready.Message, StringComparison.Ordinal);
        Assert.Empty(await scenario.JobsAsync("no-tag"));
    }

    [Fact]
    public async Task Reconcile_BuildPastDeadline_FailsAsServiceFaultBuildTimedOut()
    {
        await using var scenario = await BuildScenario.StartAsync(fixture, output, overrides: new(StringComparer.Ordinal) { ["Build:DefaultTimeout"] = "00:00:10" });
        // The build sleeps far past the 10 s deadline: Kubernetes 1.20's Job controller enforces activeDeadlineSeconds only
        // when it next syncs the Job, and under load that came after a 25 s build had already pushed (the pod Succeeded).
        // The test ends at the deadline either way; the sleep only has to outlast the controller's lag.
        var (repo, token, _) = await scenario.CreateRepositoryAsync(SampleApps.Sleeping(240, "slow " + Guid.NewGuid().ToString("N")));

        await scenario.SubmitAsync(BuildScenario.NewBuild("slow", repo, "slow-token", maxRetries: 0), token);
        var status = await scenario.WaitForEndAsync("slow", Phases.Failed);
        Assert.Equal((Faults.Service, BuildReasons.BuildTimedOut), (status.LastFailure!.Fault, status.LastFailure.Reason));
        Assert.Equal(Reasons.RetriesExhausted, status.Conditions!.Single(c => c.Type == ConditionTypes.Ready).Reason);
        var job = Assert.Single(await scenario.JobsAsync("slow"));
        Assert.Equal(10, job.Spec.ActiveDeadlineSeconds);
    }

    [Fact]
    public async Task Reconcile_ApiServerRejectsJob_FailsWithJobRejectedInsteadOfLooping()
    {
        // Valid quantities (the options validator passes them) that Kubernetes refuses together: requests above limits.
        await using var scenario = await BuildScenario.StartAsync(fixture, output, overrides: new(StringComparer.Ordinal)
        {
            ["Build:Resources:Requests:memory"] = "64Mi",
            ["Build:Resources:Limits:memory"] = "16Mi",
        });
        var (repo, token, _) = await scenario.CreateRepositoryAsync(SampleApps.Printing("rejected"));

        await scenario.SubmitAsync(BuildScenario.NewBuild("rejected", repo, "rejected-token", maxRetries: 1), token);
        var status = await scenario.WaitForEndAsync("rejected", Phases.Failed);
        Assert.Equal((Faults.Service, Reasons.JobRejected, 1), (status.LastFailure!.Fault, status.LastFailure.Reason, status.Retries));
        Assert.Contains("memory", status.LastFailure.Message, StringComparison.Ordinal);
        Assert.Empty(await scenario.JobsAsync("rejected"));
        Assert.Null(await scenario.SecretAsync("rejected-token"));
    }

    [Fact]
    public async Task Reconcile_BuilderImageMissing_WatchdogDeletesJobAndFails()
    {
        // The fetch init container runs; the build container's image cannot be pulled.
        var build = await RunNeverStartingBuildAsync("Build:Images:BuildKit");

        Assert.Contains("did not start", build.Status!.LastFailure!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reconcile_FetchImageMissing_WatchdogDeletesJobAndFails()
    {
        // No container of the pod ever starts.
        var build = await RunNeverStartingBuildAsync("Build:Images:Fetch");

        Assert.Contains("did not start", build.Status!.LastFailure!.Message, StringComparison.Ordinal);
    }

    /// <summary>A build whose <paramref name="imageKey"/> names an image that cannot be pulled, with a 5 s watchdog; returns it once it failed as never started and its Job is gone.</summary>
    private async Task<ImageBuild> RunNeverStartingBuildAsync(string imageKey)
    {
        await using var scenario = await BuildScenario.StartAsync(fixture, output, overrides: new(StringComparer.Ordinal)
        {
            [imageKey] = "imagebuilder/does-not-exist:dev",
            ["Build:PendingTimeout"] = "00:00:05",
            ["Build:DefaultTimeout"] = "00:00:20",
        });
        var (repo, token, _) = await scenario.CreateRepositoryAsync(SampleApps.Printing("never starts"));

        await scenario.SubmitAsync(BuildScenario.NewBuild("stuck", repo, "stuck-token", maxRetries: 0), token);
        var build = await scenario.WaitForPhaseAsync("stuck", Phases.Succeeded, Phases.Failed);

        Assert.Equal(Phases.Failed, build.Status!.Phase);
        Assert.Equal((Faults.Service, BuildReasons.BuildPodNeverStarted), (build.Status.LastFailure!.Fault, build.Status.LastFailure.Reason));
        await Eventually.WaitAsync(async () => (await scenario.JobsAsync("stuck")).Count == 0, TimeSpan.FromSeconds(60), "the stuck Job to be deleted");
        return build;
    }
}
