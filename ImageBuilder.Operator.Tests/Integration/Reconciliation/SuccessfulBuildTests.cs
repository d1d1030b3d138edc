using ImageBuilder.Operator.Api;
using ImageBuilder.Operator.Reconciliation;
using ImageBuilder.Operator.Tests.Integration.Builds;
using ImageBuilder.Testing.Operators;
using Xunit.Abstractions;

namespace ImageBuilder.Operator.Tests.Integration.Reconciliation;

/// <summary>The reconciler in the real operator host building real images on the development cluster.</summary>
[Collection(PlatformCollection.Name)]
public sealed class SuccessfulBuildTests(PlatformFixture fixture, ITestOutputHelper output)
{
    [Fact]
    public async Task Reconcile_PrivateRepository_PushesImageRecordsDigestAndDeletesToken()
    {
        await using var scenario = await BuildScenario.StartAsync(fixture, output);
        var greeting = "hello " + Guid.NewGuid().ToString("N");
        var (repo, token, commit) = await scenario.CreateRepositoryAsync(SampleApps.Printing(greeting));

        var submitted = await scenario.SubmitAsync(BuildScenario.NewBuild("happy", repo, "happy-token"), token);
        var status = await scenario.WaitForEndAsync("happy", Phases.Succeeded);
        Assert.Equal(commit, status.Commit);
        Assert.Equal(0, status.Retries);
        Assert.EndsWith(":" + commit, status.Image, StringComparison.Ordinal);
        Assert.Equal(await scenario.RegistryDigestAsync(status.Image!), status.Digest);
        var ready = Assert.Single(status.Conditions!, c => c.Type == ConditionTypes.Ready);
        Assert.Equal(("True", Reasons.BuildSucceeded, submitted.Metadata.Generation), (ready.Status, ready.Reason, ready.ObservedGeneration));
        Assert.Equal(submitted.Metadata.Generation, status.ObservedGeneration);
        var job = Assert.Single(await scenario.JobsAsync("happy"));
        Assert.DoesNotContain(token, k8s.KubernetesJson.Serialize(job), StringComparison.Ordinal);
        Assert.Null(await scenario.SecretAsync("happy-token"));
        var reasons = (await scenario.EventsOnceAsync("happy", Reasons.BuildSucceeded)).Select(e => e.Reason).ToList();
        Assert.Contains(Reasons.BuildStarted, reasons);
        Assert.Contains(Reasons.BuildSucceeded, reasons);
        Assert.DoesNotContain(scenario.Operator.Logs.Lines, l => l.Contains(token, StringComparison.Ordinal));

        var image = status.Image!;
        var byDigest = $"{image[..image.LastIndexOf(':')]}@{status.Digest}";
        await DockerCli.LoginAsync(fixture);
        await DockerCli.RunAsync("pull", "-q", byDigest);
        var printed = await DockerCli.RunAsync("run", "--rm", "--network", "none", byDigest);
        Assert.Equal(greeting, printed.Trim());
    }

    [Fact]
    public async Task Reconcile_AfterSuccess_StatusWriteDoesNotTriggerAnotherWrite()
    {
        await using var scenario = await BuildScenario.StartAsync(fixture, output);
        var progress = OperatorProgress.Attach(scenario.Operator);
        var (repo, token, _) = await scenario.CreateRepositoryAsync(SampleApps.Printing("steady " + Guid.NewGuid().ToString("N")));
        await scenario.SubmitAsync(BuildScenario.NewBuild("steady", repo, "steady-token"), token);
        var done = await scenario.WaitForPhaseAsync("steady", Phases.Succeeded, Phases.Failed);
        Assert.Equal(Phases.Succeeded, done.Status!.Phase);

        // The last status write and the Job's completion come back as watch events; none of them may produce
        // another write. Wait until the operator has received the ImageBuild and its Job as they are now and
        // has no reconcile queued or running: every reconcile those events caused is over, and so is the one
        // that wrote Succeeded (it records its Events after that write, before it ends).
        await Eventually.WaitAsync(async () =>
        {
            var current = await scenario.GetAsync("steady");
            var jobs = await scenario.JobsAsync("steady");
            return current is not null && progress.Received([current, .. jobs]) && progress.Idle;
        }, TimeSpan.FromSeconds(60), "the operator to receive the ImageBuild and its Job as they are and to go idle");

        var later = await scenario.GetAsync("steady");
        Assert.Equal(done.Metadata.ResourceVersion, later!.Metadata.ResourceVersion);
        // An Event names the resourceVersion its reconcile read: the success Events name the one before Succeeded. One
        // that names Succeeded's own was recorded by a reconcile of the finished build, which must have nothing to say.
        var events = await scenario.EventsAsync("steady");
        Assert.Contains(events, e => e.Reason == Reasons.BuildSucceeded);
        Assert.DoesNotContain(events, e => e.InvolvedObject.ResourceVersion == done.Metadata.ResourceVersion);
    }

    [Fact]
    public async Task Reconcile_CommitAlreadyBuilt_SucceedsFromCacheWithoutJob()
    {
        await using var scenario = await BuildScenario.StartAsync(fixture, output);
        var (repo, token, _) = await scenario.CreateRepositoryAsync(SampleApps.Printing("cached " + Guid.NewGuid().ToString("N")));
        var application = PlatformFixture.UniqueName("cache");
        await scenario.SubmitAsync(BuildScenario.NewBuild("first", repo, "first-token", application), token);
        var first = await scenario.WaitForPhaseAsync("first", Phases.Succeeded, Phases.Failed);
        Assert.Equal(Phases.Succeeded, first.Status!.Phase);

        await scenario.SubmitAsync(BuildScenario.NewBuild("second", repo, "second-token", application), token);
        var second = await scenario.WaitForPhaseAsync("second", Phases.Succeeded, Phases.Failed);

        Assert.Equal(Phases.Succeeded, second.Status!.Phase);
        Assert.Equal(Reasons.CacheHit, second.Status.Conditions!.Single(c => c.Type == ConditionTypes.Ready).Reason);
        Assert.Equal((first.Status.Image, first.Status.Digest), (second.Status.Image, second.Status.Digest));
        Assert.Empty(await scenario.JobsAsync("second"));
        Assert.Null(second.Status.Job);
    }

    [Fact]
    public async Task Reconcile_NameLongerThanALabelValue_BuildsAndCleansUp()
    {
        // Object names may be 253 characters; label values only 63 (the Job's labels carry the build's name).
        await using var scenario = await BuildScenario.StartAsync(fixture, output);
        var (repo, token, _) = await scenario.CreateRepositoryAsync(SampleApps.Printing("long " + Guid.NewGuid().ToString("N")));
        var name = "long-" + new string('n', 70);

        await scenario.SubmitAsync(BuildScenario.NewBuild(name, repo, "long-token", applicationId: "long"), token);
        var build = await scenario.WaitForPhaseAsync(name, Phases.Succeeded, Phases.Failed);

        Assert.Equal((Phases.Succeeded, null), (build.Status!.Phase, build.Status.LastFailure?.Message));
        Assert.True(build.Status.Job!.Length <= 63, build.Status.Job);
        Assert.Null(await scenario.SecretAsync("long-token"));
    }
}
