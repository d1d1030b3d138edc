using System.Text.Json;
using ImageBuilder.Operator.Api;
using ImageBuilder.Testing.Operators;
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
        var progress = scenario.Hosts.Select(OperatorProgress.Attach).ToList();
        await Eventually.WaitAsync(() => Task.FromResult(scenario.Hosts.Count(h => h.IsLeader) == 1), TimeSpan.FromSeconds(60), "one of the two operators to lead");
        var (repo, token, _) = await scenario.CreateRepositoryAsync(SampleApps.Printing("replicas " + Guid.NewGuid().ToString("N")));

        await scenario.SubmitAsync(BuildScenario.NewBuild("shared", repo, "shared-token"), token);
        var build = await scenario.WaitForPhaseAsync("shared", Phases.Succeeded, Phases.Failed);

        Assert.Equal(Phases.Succeeded, build.Status!.Phase);
        Assert.Single(await scenario.JobsAsync("shared"));
        var message = Assert.Single(await scenario.Operator.TakeAsync(scenario.Settings.ContainerManagerQueue, 1, BuildScenario.BuildTimeout));
        Assert.Equal(build.Status.Digest, message.GetProperty("imageID").GetString());
        // A follower that reconciled too would publish its own response right after the leader's. Wait until both
        // operators have received the ImageBuild and its Job as they are now, the leader has no reconcile queued
        // or running, and neither has one running: a follower's publish would have been confirmed by then.
        var leader = progress[scenario.Hosts.ToList().FindIndex(h => h.IsLeader)];
        await Eventually.WaitAsync(async () =>
        {
            var current = await scenario.GetAsync("shared");
            List<k8s.IKubernetesObject<k8s.Models.V1ObjectMeta>> objects = [current!, .. await scenario.JobsAsync("shared")];
            return progress.All(p => p.Received(objects) && p.InFlight == 0) && leader.Idle;
        }, TimeSpan.FromSeconds(60), "both operators to receive the ImageBuild and its Job as they are, with nothing in flight");
        Assert.Equal(0u, await scenario.Operator.ReadyCountAsync(scenario.Settings.ContainerManagerQueue));
        Assert.Equal(1, scenario.Hosts.Count(h => h.IsLeader));
    }

    [Fact]
    public async Task Restart_MidBuild_NewOperatorAdoptsTheJobAndFinishes()
    {
        await using var scenario = await BuildScenario.StartAsync(fixture, output);
        var (repo, token, _) = await scenario.CreateRepositoryAsync(SampleApps.Sleeping(6, "restart " + Guid.NewGuid().ToString("N")));
        await scenario.SubmitAsync(BuildScenario.NewBuild("restart", repo, "restart-token"), token);
        var building = await scenario.WaitForPhaseAsync("restart", Phases.Building);

        await scenario.StopOperatorsAsync();
        await scenario.StartOperatorAsync();
        var build = await scenario.WaitForPhaseAsync("restart", Phases.Succeeded, Phases.Failed);

        Assert.Equal(Phases.Succeeded, build.Status!.Phase);
        Assert.Equal((building.Status!.Job, 0), (build.Status.Job, build.Status.Retries));
        Assert.Single(await scenario.JobsAsync("restart"));
        Assert.Equal(await scenario.RegistryDigestAsync(build.Status.Image!), build.Status.Digest);
    }

    [Fact]
    public async Task BuildRequest_OnBuildQueue_AnsweredWithPushedImageOnContainerManagerQueue()
    {
        await using var scenario = await BuildScenario.StartAsync(fixture, output, rabbitMq: true);
        var (repo, token, commit) = await scenario.CreateRepositoryAsync(SampleApps.Printing("queued " + Guid.NewGuid().ToString("N")));
        var application = PlatformFixture.UniqueName("app");
        await scenario.Operator.WaitForConsumerAsync(scenario.Settings.BuildQueue, TimeSpan.FromSeconds(60));

        await scenario.Operator.PublishAsync(scenario.Settings.BuildQueue, JsonSerializer.Serialize(new
        {
            applicationID = application,
            token,
            userID = "rtests",
            type = "repo",
            connector = "github",
            repo,
            branch = "main",
        }));
        var response = Assert.Single(await scenario.Operator.TakeAsync(scenario.Settings.ContainerManagerQueue, 1, BuildScenario.BuildTimeout));

        Assert.Equal(("success", commit), (response.GetProperty("status").GetString(), response.GetProperty("buildCommit").GetString()));
        var imageName = response.GetProperty("imageName").GetString()!;
        Assert.Equal($"{fixture.Registry}/rtests/{application}:{commit}", imageName);
        Assert.Equal(await scenario.RegistryDigestAsync(imageName), response.GetProperty("imageID").GetString());
        var buildName = response.GetProperty("imageBuild").GetString()!.Split('/')[1];
        var build = await scenario.WaitForPhaseAsync(buildName, Phases.Succeeded);
        Assert.Null(await scenario.SecretAsync(build.Spec.Source.TokenSecretRef!.Name));
        Assert.DoesNotContain(scenario.Operator.Logs.Lines, l => l.Contains(token, StringComparison.Ordinal));
    }
}
