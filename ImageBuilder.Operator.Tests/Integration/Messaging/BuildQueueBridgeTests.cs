using System.Text;
using ImageBuilder.Operator.Api;
using ImageBuilder.Operator.Bridge;
using ImageBuilder.Operator.RabbitMq;
using ImageBuilder.Operator.Requests;
using ImageBuilder.Operator.Tests.Requests;
using k8s;
using k8s.Models;
using RabbitMQ.Client;
using Xunit.Abstractions;

namespace ImageBuilder.Operator.Tests.Integration.Messaging;

[Collection(PlatformCollection.Name)]
public sealed class BuildQueueBridgeTests(PlatformFixture fixture, ITestOutputHelper output)
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(60);

    private async Task<IList<ImageBuild>> BuildsAsync(string ns) =>
        (await fixture.Kubernetes.CustomObjects.ListNamespacedCustomObjectAsync<ImageBuildList>(ImageBuild.Group, ImageBuild.Version, ns, ImageBuild.Plural)).Items;

    private async Task<IList<ImageBuild>> WaitForBuildsAsync(string ns, int count)
    {
        await Eventually.WaitAsync(async () => (await BuildsAsync(ns)).Count >= count, Within, $"{count} ImageBuild(s) in {ns}");
        return await BuildsAsync(ns);
    }

    [Fact]
    public async Task Bridge_BackendStyleMessage_CreatesOwnedTokenSecretAndImageBuild()
    {
        await using var harness = await MessagingHarness.StartInNewNamespaceAsync(fixture, output, "mq-bridge");

        await harness.PublishLikeBackendAsync(RequestSamples.Flat());

        var build = Assert.Single(await WaitForBuildsAsync(harness.Namespace, 1));
        Assert.Equal("18008", build.Spec.UserId);
        Assert.Equal("65a1c0ffee", build.Spec.ApplicationId);
        Assert.Equal(("github", "vano2903/testing", "repo", "main"), (build.Spec.Source.Connector, build.Spec.Source.Repo, build.Spec.Source.Type, build.Spec.Source.Branch));
        var secretName = build.Spec.Source.TokenSecretRef!.Name;
        await Eventually.WaitAsync(async () =>
            (await fixture.Kubernetes.CoreV1.ReadNamespacedSecretAsync(secretName, harness.Namespace)).Metadata.OwnerReferences?.Count == 1, Within, "owner reference on the token Secret");
        var secret = await fixture.Kubernetes.CoreV1.ReadNamespacedSecretAsync(secretName, harness.Namespace);
        Assert.Equal(RequestSamples.Token, Encoding.UTF8.GetString(secret.Data["token"]));
        Assert.Equal(build.Metadata.Uid, Assert.Single(secret.Metadata.OwnerReferences).Uid);
        Assert.Equal(build.Metadata.Name, secret.Metadata.Labels[Annotations.BuildLabel]);
        Assert.Equal(0u, await harness.ReadyCountAsync(harness.Options.BuildQueue));
        Assert.DoesNotContain(harness.Logs.Lines, l => l.Contains(RequestSamples.Token, StringComparison.Ordinal) || l.Contains("guest:guest", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Bridge_GoSenderWithEveryOptionalFieldEmpty_CreatesImageBuildsWithoutEmptyValues()
    {
        await using var harness = await MessagingHarness.StartInNewNamespaceAsync(fixture, output, "mq-go");
        var corpus = GoSenderSamples.All("vano2903/testing", RequestSamples.Token).Select(row => (Label: (string)row[0], Body: (string)row[1])).ToList();

        foreach (var (label, body) in corpus)
        {
            // A message id each: two variants make the same request and would otherwise be one build.
            await harness.PublishLikeBackendAsync(body, messageId: "go-" + label.Replace(' ', '-').Replace(",", "", StringComparison.Ordinal));
        }

        var builds = await WaitForBuildsAsync(harness.Namespace, corpus.Count);
        Assert.Equal(corpus.Count, builds.Count);
        foreach (var build in builds)
        {
            var source = build.Spec.Source;
            Assert.Equal((RefTypes.Repo, null, null, null, null), (source.Type, source.Branch, source.Tag, source.Release, source.Commit));
            Assert.Null(build.Spec.BuildPlan);
            Assert.DoesNotContain("\"\"", KubernetesJson.Serialize(build.Spec), StringComparison.Ordinal);
        }
        Assert.Single(builds, b => b.Spec.ApplicationId is null);
        Assert.Equal(0u, await harness.ReadyCountAsync(harness.Options.KusanaliQueue));
    }

    [Fact]
    public async Task Writer_SpecTheApiserverRefuses_AnswerNamesEveryFieldBeforeAnyCut()
    {
        var ns = await fixture.CreateNamespaceAsync("mq-refused");
        var parsed = new BuildRequestParser(65536).Parse(RequestSamples.Bytes(RequestSamples.Flat())).Request!;
        // Past the request rules (as a drift between rules and schema would be): the apiserver is the last word.
        var request = new BuildRequest
        {
            UserId = parsed.UserId,
            Token = parsed.Token,
            Connector = parsed.Connector,
            Repo = parsed.Repo,
            Type = parsed.Type,
            Branch = parsed.Branch,
            BuildPlan = new BuildPlanSpec { Builder = "kaniko", RootDirectory = "/" + new string('r', 300), AptPkgs = [new string('p', 300)] },
        };

        var result = await new ImageBuildWriter(fixture.Kubernetes).WriteAsync(request, null, false, ns, CancellationToken.None);

        Assert.Equal(BuildWriteOutcome.Rejected, result.Outcome);
        output.WriteLine(result.Reason);
        Assert.StartsWith("Kubernetes refused the build: spec.buildPlan.", result.Reason, StringComparison.Ordinal);
        Assert.Matches("spec\\.buildPlan\\.builder: [^;]*\"kaniko\"", result.Reason);
        Assert.Contains("spec.buildPlan.rootDirectory", result.Reason, StringComparison.Ordinal);
        Assert.Contains("spec.buildPlan.aptPkgs", result.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain("is invalid", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bridge_SameMessageTwice_CreatesOneImageBuild()
    {
        await using var harness = await MessagingHarness.StartInNewNamespaceAsync(fixture, output, "mq-twice");

        await harness.PublishLikeBackendAsync(RequestSamples.Nested(), messageId: "backend-42");
        await harness.PublishLikeBackendAsync(RequestSamples.Nested(), messageId: "backend-42");
        // A third, different request proves the two before it were handled (one consumer, in order).
        await harness.PublishLikeBackendAsync(RequestSamples.Flat(o => o["branch"] = "develop"));

        await WaitForBuildsAsync(harness.Namespace, 2);
        await Eventually.WaitAsync(() => Task.FromResult(harness.Logs.Lines.Any(l => l.Contains("already ImageBuild", StringComparison.Ordinal))), Within, "duplicate acknowledged");
        var builds = await BuildsAsync(harness.Namespace);
        Assert.Equal(2, builds.Count);
        Assert.Single(builds, b => b.Metadata.Annotations is { } a && a.TryGetValue(ImageBuildFactory.MessageIdAnnotation, out var id) && id == "backend-42");
        Assert.Equal("nixpacks", builds.Single(b => b.Spec.BuildPlan is not null).Spec.BuildPlan!.Builder);
    }

    [Fact]
    public async Task Bridge_MalformedCorpus_EachAnsweredOnKusanaliAndBridgeKeepsConsuming()
    {
        await using var harness = await MessagingHarness.StartInNewNamespaceAsync(fixture, output, "mq-corpus");
        var corpus = HostileCorpus.Cases.Select(c => (Label: (string)c[0], Body: (string)c[1], Expected: (string)c[2])).ToList();

        foreach (var (_, body, _) in corpus)
        {
            await harness.PublishLikeBackendAsync(body);
        }
        await harness.PublishLikeBackendAsync(RequestSamples.Flat(o => o["branch"] = "after-the-corpus"));

        // The bridge handles up to a prefetch of deliveries at once, so answers need not come in publication order: each
        // is matched to its request by its message id, which names the request (the backend sets no id of its own).
        var answers = (await harness.TakeAsync(harness.Options.KusanaliQueue, corpus.Count, Within)).ToDictionary(a => a.BasicProperties.MessageId!);
        foreach (var (label, body, expected) in corpus)
        {
            var request = new Delivery(Encoding.UTF8.GetBytes(body), new BasicProperties(), redelivered: false);
            Assert.True(answers.TryGetValue("refused-" + request.LogId, out var answer), $"no answer for the '{label}' case");
            var json = MessagingHarness.Json(answer);
            Assert.Equal("failed", json.GetProperty("status").GetString());
            Assert.Equal("user", json.GetProperty("fault").GetString());
            Assert.True(json.GetProperty("isError").GetBoolean());
            Assert.Contains(expected, json.GetProperty("message").GetString(), StringComparison.Ordinal);
            Assert.Equal("application/json", answer.BasicProperties.ContentType);
        }
        var build = Assert.Single(await WaitForBuildsAsync(harness.Namespace, 1));
        Assert.Equal("after-the-corpus", build.Spec.Source.Branch);
        Assert.Equal(0u, await harness.ReadyCountAsync(harness.Options.BuildQueue));
        Assert.Equal(0u, await harness.ReadyCountAsync(harness.Options.KusanaliQueue));
    }

    [Fact]
    public async Task Bridge_RefusedRequest_AnswerNamesTheSender()
    {
        await using var harness = await MessagingHarness.StartInNewNamespaceAsync(fixture, output, "mq-refuse");

        await harness.PublishLikeBackendAsync(RequestSamples.Flat(o => o["connector"] = "gitlab"));

        var json = MessagingHarness.Json(Assert.Single(await harness.TakeAsync(harness.Options.KusanaliQueue, 1, Within)));
        Assert.Equal(("65a1c0ffee", "18008", "vano2903/testing"),
            (json.GetProperty("applicationID").GetString(), json.GetProperty("userID").GetString(), json.GetProperty("repo").GetString()));
        Assert.Equal("Connector 'gitlab' is not supported; use 'github' or 'git'.", json.GetProperty("message").GetString());
    }

    [Fact]
    public async Task Bridge_KubernetesUnreachable_RequeuesAndLosesNothing()
    {
        using var unreachable = new Kubernetes(new KubernetesClientConfiguration { Host = "https://127.0.0.1:1", SkipTlsVerify = true });
        await using var harness = await MessagingHarness.StartInNewNamespaceAsync(fixture, output, "mq-down", kubernetes: unreachable);

        await harness.PublishLikeBackendAsync(RequestSamples.Flat());
        await Eventually.WaitAsync(() => Task.FromResult(harness.Logs.Lines.Count(l => l.Contains("goes back to the queue", StringComparison.Ordinal)) >= 2), Within, "two requeues");
        await harness.StopAsync();

        var message = Assert.Single(await harness.TakeAsync(harness.Options.BuildQueue, 1, Within));
        Assert.True(message.Redelivered);
        Assert.Equal(RequestSamples.Flat(), Encoding.UTF8.GetString(message.Body.Span));
        Assert.Equal(0u, await harness.ReadyCountAsync(harness.Options.KusanaliQueue));
    }

    [Fact]
    public async Task Bridge_NamespaceMissing_IsRetriedUntilItExists()
    {
        var ns = PlatformFixture.UniqueName("mq-later");
        await using var harness = MessagingHarness.Create(fixture, output, ns);
        await harness.StartAsync();

        await harness.PublishLikeBackendAsync(RequestSamples.Flat());
        await Eventually.WaitAsync(() => Task.FromResult(harness.Logs.Lines.Any(l => l.Contains("goes back to the queue", StringComparison.Ordinal))), Within, "a requeue");
        await fixture.Kubernetes.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = ns } });
        try
        {
            Assert.Single(await WaitForBuildsAsync(ns, 1));
        }
        finally
        {
            await fixture.Kubernetes.CoreV1.DeleteNamespaceAsync(ns);
        }
    }

    [Fact]
    public async Task Bridge_IdenticalRequestAfterFinishedBuild_CreatesANewGeneration()
    {
        await using var harness = await MessagingHarness.StartInNewNamespaceAsync(fixture, output, "mq-again");
        await harness.PublishLikeBackendAsync(RequestSamples.Flat());
        var first = Assert.Single(await WaitForBuildsAsync(harness.Namespace, 1));

        first.Status = new ImageBuildStatus { Phase = Phases.Succeeded };
        await fixture.Kubernetes.CustomObjects.ReplaceNamespacedCustomObjectStatusAsync<ImageBuild>(first, ImageBuild.Group, ImageBuild.Version, harness.Namespace, ImageBuild.Plural, first.Metadata.Name);
        await harness.PublishLikeBackendAsync(RequestSamples.Flat());

        var builds = await WaitForBuildsAsync(harness.Namespace, 2);
        Assert.Equal(2, builds.Select(b => b.Metadata.Name).Distinct().Count());
    }

    [Fact]
    public async Task Writer_IdenticalRequestWithoutMessageIdWhileBuilding_OnlyARedeliveryIsTheSameBuild()
    {
        var ns = await fixture.CreateNamespaceAsync("mq-push");
        var writer = new ImageBuildWriter(fixture.Kubernetes);
        var request = new BuildRequestParser(65536).Parse(RequestSamples.Bytes(RequestSamples.Flat())).Request!;

        var first = await writer.WriteAsync(request, null, false, ns, CancellationToken.None);
        var redelivery = await writer.WriteAsync(request, null, true, ns, CancellationToken.None);
        var nextPush = await writer.WriteAsync(request, null, false, ns, CancellationToken.None);

        Assert.Equal((BuildWriteOutcome.Created, BuildWriteOutcome.AlreadyExists, first.Name), (first.Outcome, redelivery.Outcome, redelivery.Name));
        Assert.Equal(BuildWriteOutcome.Created, nextPush.Outcome);
        Assert.NotEqual(first.Name, nextPush.Name);
        var builds = await BuildsAsync(ns);
        Assert.True(RequestOrder.Of(builds.Single(b => b.Metadata.Name == first.Name)) < RequestOrder.Of(builds.Single(b => b.Metadata.Name == nextPush.Name)));
    }

    [Fact]
    public async Task Writer_NamespaceMissing_IsUnavailable()
    {
        var writer = new ImageBuildWriter(fixture.Kubernetes);
        var request = new BuildRequestParser(65536).Parse(RequestSamples.Bytes(RequestSamples.Flat())).Request!;

        var result = await writer.WriteAsync(request, null, false, "ns-that-does-not-exist-" + Guid.NewGuid().ToString("N")[..8], CancellationToken.None);

        Assert.Equal(BuildWriteOutcome.Unavailable, result.Outcome);
        Assert.Contains("404", result.Reason, StringComparison.Ordinal);
    }
}
