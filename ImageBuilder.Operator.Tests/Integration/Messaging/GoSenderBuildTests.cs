using ImageBuilder.Operator.Api;
using ImageBuilder.Operator.Tests.Integration.Reconciliation;
using ImageBuilder.Operator.Tests.Requests;
using Xunit.Abstractions;

namespace ImageBuilder.Operator.Tests.Integration.Messaging;

/// <summary>The platform's Go backend, end to end: a nested request with every optional field empty builds and is answered.</summary>
[Collection(PlatformCollection.Name)]
public sealed class GoSenderBuildTests(PlatformFixture fixture, ITestOutputHelper output)
{
    [Theory]
    [InlineData(GoSenderSamples.EmptyList.Null)]
    [InlineData(GoSenderSamples.EmptyList.Brackets)]
    public async Task NestedRequest_EveryOptionalFieldEmpty_BuildsAndAnswersTheContainerManager(GoSenderSamples.EmptyList lists)
    {
        await using var scenario = await BuildScenario.StartAsync(fixture, output, rabbitMq: true);
        var (repo, token, commit) = await scenario.CreateRepositoryAsync(SampleApps.Printing("go " + Guid.NewGuid().ToString("N")));
        var application = PlatformFixture.UniqueName("go");
        await scenario.Operator.WaitForConsumerAsync(scenario.Settings.BuildQueue, TimeSpan.FromSeconds(60));

        await scenario.Operator.PublishAsync(scenario.Settings.BuildQueue, GoSenderSamples.Nested(repo, token, lists, applicationId: application, userId: "rtests"));
        var response = Assert.Single(await scenario.Operator.TakeAsync(scenario.Settings.ContainerManagerQueue, 1, BuildScenario.BuildTimeout));

        Assert.Equal(("success", commit), (response.GetProperty("status").GetString(), response.GetProperty("buildCommit").GetString()));
        var imageName = response.GetProperty("imageName").GetString()!;
        Assert.Equal($"{fixture.Registry}/rtests/{application}:{commit}", imageName);
        Assert.Equal(await scenario.RegistryDigestAsync(imageName), response.GetProperty("imageID").GetString());
        var build = await scenario.WaitForPhaseAsync(response.GetProperty("imageBuild").GetString()!.Split('/')[1], Phases.Succeeded);
        Assert.Null(build.Spec.BuildPlan);
    }
}
