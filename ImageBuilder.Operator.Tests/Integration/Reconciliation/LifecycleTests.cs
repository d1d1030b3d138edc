using ImageBuilder.Operator.Api;
using ImageBuilder.Operator.Tests.Integration.OperatorHost;
using k8s;
using Xunit.Abstractions;

namespace ImageBuilder.Operator.Tests.Integration.Reconciliation;

/// <summary>What happens around a build: deletion mid-build, and replicas sharing one Lease.</summary>
[Collection(PlatformCollection.Name)]
public sealed class LifecycleTests(PlatformFixture fixture, ITestOutputHelper output)
{
    [Fact]
    public async Task Delete_MidBuild_GarbageCollectsJobAndTokenSecret()
    {
        await using var scenario = await BuildScenario.StartAsync(fixture, output);
        var (repo, token, _) = await scenario.CreateRepositoryAsync(SampleApps.Sleeping(20, "deleted " + Guid.NewGuid().ToString("N")));
        await scenario.SubmitAsync(BuildScenario.NewBuild("doomed", repo, "doomed-token"), token);
        await scenario.WaitForPhaseAsync("doomed", Phases.Building);
        Assert.Single(await scenario.JobsAsync("doomed"));
        Assert.NotNull(await scenario.SecretAsync("doomed-token"));

        await scenario.Kubernetes.CustomObjects.DeleteNamespacedCustomObjectAsync(ImageBuild.Group, ImageBuild.Version, scenario.Namespace, ImageBuild.Plural, "doomed");

        await Eventually.WaitAsync(async () => (await scenario.JobsAsync("doomed")).Count == 0, BuildScenario.BuildTimeout, "the garbage collector to delete the Job");
        await Eventually.WaitAsync(async () => await scenario.SecretAsync("doomed-token") is null, BuildScenario.BuildTimeout, "the garbage collector to delete the token Secret");
        Assert.Null(await scenario.GetAsync("doomed"));
    }

    [Fact]
    public async Task TwoOperators_SameLease_OneJobAndOneNotification()
    {
        await using var scenario = await BuildScenario.StartAsync(fixture, output, rabbitMq: true, hosts: 2);
        await Eventually.WaitAsync(() => Task.FromResult(scenario.Hosts.Count(h => h.IsLeader) == 1), TimeSpan.FromSeconds(60), "one of the two operators to lead");
        var (repo, token, _) = await scenario.CreateRepositoryAsync(SampleApps.Printing("replicas " + Guid.NewGuid().ToString("N")));

        await scenario.SubmitAsync(BuildScenario.NewBuild("shared", repo, "shared-token"), token);
        var build = await scenario.WaitForPhaseAsync("shared", Phases.Succeeded, Phases.Failed);

        Assert.Equal(Phases.Succeeded, build.Status!.Phase);
        Assert.Single(await scenario.JobsAsync("shared"));
        var message = Assert.Single(await scenario.Operator.TakeAsync(scenario.Settings.ContainerManagerQueue, 1, BuildScenario.BuildTimeout));
        Assert.Equal(build.Status.Digest, message.GetProperty("imageID").GetString());
        // A follower that reconciled too would publish its own response right after the leader's.
        await Task.Delay(TimeSpan.FromSeconds(3));
        Assert.Equal(0u, await scenario.Operator.ReadyCountAsync(scenario.Settings.ContainerManagerQueue));
        Assert.Equal(1, scenario.Hosts.Count(h => h.IsLeader));
    }
}
