using ImageBuilder.Operator.Api;
using ImageBuilder.Operator.Cli;
using ImageBuilder.Operator.Tests.Requests;
using k8s;
using Xunit.Abstractions;

namespace ImageBuilder.Operator.Tests.Integration.Messaging;

[Collection(PlatformCollection.Name)]
public sealed class SubmitCommandIntegrationTests(PlatformFixture fixture, ITestOutputHelper output)
{
    [Fact]
    public async Task Submit_ToRunningBridge_BecomesAnImageBuild()
    {
        await using var harness = await MessagingHarness.StartInNewNamespaceAsync(fixture, output, "mq-submit");
        var ns = harness.Namespace;
        var tokenFile = Path.GetTempFileName();
        await File.WriteAllTextAsync(tokenFile, RequestSamples.Token);
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        try
        {
            var code = await SubmitCommand.RunAsync(
                ["submit", "--repo", "demo/hello", "--user", "18008", "--app", "demoapp", "--token-file", tokenFile,
                 "--amqp", fixture.AmqpUri.ToString(), "--queue", harness.Options.BuildQueue], stdout, stderr);

            Assert.True(code == 0, stderr.ToString());
        }
        finally
        {
            File.Delete(tokenFile);
        }

        await Eventually.WaitAsync(async () => (await fixture.Kubernetes.CustomObjects.ListNamespacedCustomObjectAsync<ImageBuildList>(
            ImageBuild.Group, ImageBuild.Version, ns, ImageBuild.Plural)).Items.Count == 1, TimeSpan.FromSeconds(60), "the ImageBuild");
        var build = (await fixture.Kubernetes.CustomObjects.ListNamespacedCustomObjectAsync<ImageBuildList>(ImageBuild.Group, ImageBuild.Version, ns, ImageBuild.Plural)).Items.Single();
        Assert.Equal(("demo/hello", "demoapp"), (build.Spec.Source.Repo, build.Spec.ApplicationId));
        Assert.Contains("the broker confirmed it", stdout.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("guest:guest", stdout.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Submit_QueueMissing_ExitsOneSayingSo()
    {
        var tokenFile = Path.GetTempFileName();
        await File.WriteAllTextAsync(tokenFile, RequestSamples.Token);
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var queue = PlatformFixture.UniqueName("no-such-queue");
        try
        {
            var code = await SubmitCommand.RunAsync(
                ["--repo", "demo/hello", "--user", "18008", "--token-file", tokenFile, "--amqp", fixture.AmqpUri.ToString(), "--queue", queue], stdout, stderr);

            Assert.Equal(1, code);
            Assert.Contains($"no queue '{queue}'", stderr.ToString(), StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(tokenFile);
        }
    }
}
