using ImageBuilder.GitHubServer;
using ImageBuilder.Operator.Api;
using ImageBuilder.Operator.Reconciliation;
using k8s;
using Xunit.Abstractions;

namespace ImageBuilder.Operator.Tests.Integration.Reconciliation;

/// <summary>Service faults (GitHub answering 500) are retried; the limit turns them into a final failure.</summary>
[Collection(PlatformCollection.Name)]
public sealed class RetryTests(PlatformFixture fixture, ITestOutputHelper output)
{
    [Fact]
    public async Task Reconcile_ServiceFaultTwiceThenSuccess_RetriesTwoAndOneSuccessNotification()
    {
        // Through RabbitMQ: the retries travel the fail queue's delay tiers.
        await using var scenario = await BuildScenario.StartAsync(fixture, output, rabbitMq: true);
        var (repo, token, commit) = await scenario.CreateRepositoryAsync(SampleApps.Printing("flaky " + Guid.NewGuid().ToString("N")));
        scenario.GitHub.InjectFault(repo, FaultKind.InternalServerError, count: 2);

        await scenario.SubmitAsync(BuildScenario.NewBuild("flaky", repo, "flaky-token", maxRetries: 3), token);
        var status = await scenario.WaitForEndAsync("flaky", Phases.Succeeded);
        // Each attempt's first GitHub call is the one that fails, so two faults are two retries.
        Assert.Equal(2, status.Retries);
        Assert.Equal(commit, status.Commit);
        Assert.Equal(Faults.Service, status.LastFailure!.Fault);
        var reasons = (await scenario.EventsAsync("flaky")).Select(e => e.Reason).ToList();
        Assert.Contains(Reasons.RetryScheduled, reasons);
        Assert.Contains(Reasons.RetryStarted, reasons);
        Assert.Equal(await scenario.RegistryDigestAsync(status.Image!), status.Digest);
        var message = Assert.Single(await scenario.Operator.TakeAsync(scenario.Settings.ContainerManagerQueue, 1, BuildScenario.BuildTimeout));
        Assert.Equal(("success", 3, status.Digest), (message.GetProperty("status").GetString(), message.GetProperty("attempts").GetInt32(), message.GetProperty("imageID").GetString()));
        Assert.Equal(0u, await scenario.Operator.ReadyCountAsync(scenario.Settings.ContainerManagerQueue));
    }

    [Fact]
    public async Task Reconcile_GitHubKeepsFailing_FailsWithRetriesExhaustedAndOneKusanaliMessage()
    {
        await using var scenario = await BuildScenario.StartAsync(fixture, output, rabbitMq: true);
        var (repo, token, _) = await scenario.CreateRepositoryAsync(SampleApps.Printing("down"));
        scenario.GitHub.InjectFault(repo, FaultKind.InternalServerError, count: 1000);

        await scenario.SubmitAsync(BuildScenario.NewBuild("down", repo, "down-token", maxRetries: 1), token);
        var status = await scenario.WaitForEndAsync("down", Phases.Failed);
        Assert.Equal(1, status.Retries);
        Assert.Equal(Faults.Service, status.LastFailure!.Fault);
        Assert.Equal(Reasons.RetriesExhausted, status.Conditions!.Single(c => c.Type == ConditionTypes.Ready).Reason);
        Assert.Empty(await scenario.JobsAsync("down"));
        var message = Assert.Single(await scenario.Operator.TakeAsync(scenario.Settings.KusanaliQueue, 1, BuildScenario.BuildTimeout));
        Assert.Equal((Faults.Service, 2), (message.GetProperty("fault").GetString(), message.GetProperty("attempts").GetInt32()));
        Assert.Equal(0u, await scenario.Operator.ReadyCountAsync(scenario.Settings.KusanaliQueue));
    }

    [Fact]
    public async Task Reconcile_JobDeletedMidBuild_RetriesWithANewJob()
    {
        await using var scenario = await BuildScenario.StartAsync(fixture, output);
        var (repo, token, _) = await scenario.CreateRepositoryAsync(SampleApps.Sleeping(8, "lost " + Guid.NewGuid().ToString("N")));
        await scenario.SubmitAsync(BuildScenario.NewBuild("lost", repo, "lost-token", maxRetries: 2), token);
        var building = await scenario.WaitForPhaseAsync("lost", Phases.Building);

        await scenario.Kubernetes.BatchV1.DeleteNamespacedJobAsync(building.Status!.Job, scenario.Namespace, propagationPolicy: "Background");
        var status = await scenario.WaitForEndAsync("lost", Phases.Succeeded);
        Assert.Equal((1, Reasons.JobLost), (status.Retries, status.LastFailure!.Reason));
        Assert.NotEqual(building.Status.Job, status.Job);
        Assert.Equal(await scenario.RegistryDigestAsync(status.Image!), status.Digest);
    }
}
