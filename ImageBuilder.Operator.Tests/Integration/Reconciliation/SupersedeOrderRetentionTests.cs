using System.Text.Json;
using ImageBuilder.Operator.Api;
using ImageBuilder.Operator.Reconciliation;
using ImageBuilder.Operator.Requests;
using k8s;
using Xunit.Abstractions;

namespace ImageBuilder.Operator.Tests.Integration.Reconciliation;

/// <summary>Issue 12, points 3, 4 and 6 on the real cluster and broker: superseding, notification order, retention.</summary>
[Collection(PlatformCollection.Name)]
public sealed class SupersedeOrderRetentionTests(PlatformFixture fixture, ITestOutputHelper output)
{
    private static readonly TimeSpan Within = BuildScenario.BuildTimeout;

    [Fact]
    public async Task ThreeRequestsInARow_OneBuildsTwoSuperseded_ContainerManagerToldOnceForTheNewestCommit()
    {
        await using var scenario = await BuildScenario.StartAsync(fixture, output, rabbitMq: true);
        await using var gate = new BuildGate();
        var marker = Guid.NewGuid().ToString("N");
        // The first commit's build waits at the gate (never opened), so it is surely running when the next request comes.
        var (repo, token, c1) = await scenario.CreateRepositoryAsync(gate.WaitingApp("first " + marker));
        var app = await NewApplicationAsync(scenario);

        var first = (await RequestAsync(scenario, Request(app, token, repo), 1))[0];
        await scenario.WaitForPhaseAsync(first.Metadata.Name, Phases.Building);
        await Eventually.WaitAsync(() => Task.FromResult(gate.Polls > 0), Within, "the first build to wait at the gate");
        var c2 = await AddPrintingCommitAsync(scenario, repo, "second " + marker);
        await RequestAsync(scenario, Request(app, token, repo), 2);
        var c3 = await AddPrintingCommitAsync(scenario, repo, "third " + marker);
        var builds = await RequestAsync(scenario, Request(app, token, repo), 3);
        var (older, middle, newest) = (builds[0].Metadata.Name, builds[1].Metadata.Name, builds[2].Metadata.Name);

        var done = await scenario.WaitForPhaseAsync(newest, Phases.Succeeded, Phases.Failed);
        Assert.Equal(Phases.Succeeded, done.Status!.Phase);
        Assert.Equal(c3, done.Status.Commit);
        foreach (var name in new[] { older, middle })
        {
            var superseded = await scenario.WaitForPhaseAsync(name, Phases.Superseded);
            Assert.StartsWith(scenario.Namespace + "/", superseded.Status!.SupersededBy, StringComparison.Ordinal);
            Assert.NotEqual($"{scenario.Namespace}/{name}", superseded.Status.SupersededBy);
            Assert.Null(superseded.Status.Notification);
            Assert.Equal(Reasons.Superseded, superseded.Status.Conditions!.Single(c => c.Type == ConditionTypes.Ready).Reason);
            var events = await scenario.EventsOnceAsync(name, Reasons.Superseded);
            Assert.Contains(events, e => e.Reason == Reasons.Superseded && e.Message.Contains(superseded.Status.SupersededBy!, StringComparison.Ordinal));
            await Eventually.WaitAsync(async () => (await scenario.JobsAsync(name)).Count == 0, Within, $"the Jobs of {name} to be deleted");
            Assert.Null(await scenario.SecretAsync(BuildNaming.TokenSecretName(name)));
        }
        Assert.NotEqual(c1, done.Status.Commit);
        Assert.NotEqual(c2, done.Status.Commit);
        // The two others are Superseded, a phase that is never announced: the queue holds all it will ever hold.
        var message = Assert.Single(await scenario.Operator.TakeAsync(scenario.Settings.ContainerManagerQueue, 1, Within));
        Assert.Equal(c3, message.GetProperty("buildCommit").GetString());
        Assert.Equal($"{scenario.Namespace}/{newest}", message.GetProperty("imageBuild").GetString());
        Assert.Equal(0u, await scenario.Operator.ReadyCountAsync(scenario.Settings.ContainerManagerQueue));
        Assert.Equal(0u, await scenario.Operator.ReadyCountAsync(scenario.Settings.KusanaliQueue));
    }

    [Fact]
    public async Task OlderCommitForcedToFinishAfterANewerOne_IsNeverAnnouncedAfterIt()
    {
        await using var scenario = await BuildScenario.StartAsync(fixture, output, rabbitMq: true);
        await using var gate = new BuildGate();
        var marker = Guid.NewGuid().ToString("N");
        var (repo, token, slow) = await scenario.CreateRepositoryAsync(gate.WaitingApp("older " + marker));
        var fast = await AddPrintingCommitAsync(scenario, repo, "newer " + marker);
        var app = await NewApplicationAsync(scenario);

        // Explicit commits: never superseded by a different ref, so both build.
        var older = (await RequestAsync(scenario, Request(app, token, repo, commit: slow), 1))[0].Metadata.Name;
        await scenario.WaitForPhaseAsync(older, Phases.Building);
        var newer = (await RequestAsync(scenario, Request(app, token, repo, commit: fast), 2))[1].Metadata.Name;

        var announced = await scenario.WaitForPhaseAsync(newer, Phases.Succeeded, Phases.Failed);
        Assert.Equal(Phases.Succeeded, announced.Status!.Phase);
        var first = Assert.Single(await scenario.Operator.TakeAsync(scenario.Settings.ContainerManagerQueue, 1, Within));
        Assert.Equal(fast, first.GetProperty("buildCommit").GetString());
        Assert.Equal(Phases.Building, (await scenario.GetAsync(older))!.Status!.Phase);

        gate.Open();
        var late = await scenario.WaitForPhaseAsync(older, Phases.Superseded);

        Assert.Equal(slow, late.Status!.Commit);
        Assert.StartsWith("sha256:", late.Status.Digest, StringComparison.Ordinal);
        Assert.Equal($"{scenario.Namespace}/{newer}", late.Status.SupersededBy);
        Assert.Equal(Reasons.NewerBuildAnnounced, late.Status.Conditions!.Single(c => c.Type == ConditionTypes.Ready).Reason);
        Assert.Null(late.Status.Notification);
        // Superseded is terminal and never announced: nothing can follow the newer build's message.
        Assert.Equal(0u, await scenario.Operator.ReadyCountAsync(scenario.Settings.ContainerManagerQueue));
        var record = await scenario.Kubernetes.CoreV1.ReadNamespacedConfigMapAsync(NotificationOrder.ConfigMapName, scenario.Namespace);
        Assert.Equal(newer, NotificationOrder.Parse(Assert.Single(record.Data).Value)!.Order.Name);
    }

    [Fact]
    public async Task ShortTtlAndLimitTwo_FinishedBuildsDisappearOnTime_RedeliveredMessageDoesNotRebuild()
    {
        var ttl = TimeSpan.FromSeconds(30);
        await using var scenario = await BuildScenario.StartAsync(fixture, output, rabbitMq: true, overrides: new(StringComparer.Ordinal)
        {
            ["Retention:TtlAfterSucceeded"] = ttl.ToString("c", System.Globalization.CultureInfo.InvariantCulture),
            ["Retention:SucceededLimit"] = "2",
        });
        var (repo, token, _) = await scenario.CreateRepositoryAsync(SampleApps.Printing("retention " + Guid.NewGuid().ToString("N")));
        var app = await NewApplicationAsync(scenario);
        var ids = new[] { "m-a-" + Guid.NewGuid().ToString("N"), "m-b-" + Guid.NewGuid().ToString("N"), "m-c-" + Guid.NewGuid().ToString("N") };
        var finished = new List<ImageBuild>();

        // The first one builds; the two after it find the image pushed (cache hits): three Succeeded builds of one application.
        foreach (var id in ids)
        {
            await scenario.Operator.PublishAsync(scenario.Settings.BuildQueue, Request(app, token, repo), id);
            var build = await Eventually.ValueAsync(() => FindAsync(scenario, id), b => b is not null, Within, $"the ImageBuild of message {id}");
            finished.Add(await scenario.WaitForPhaseAsync(build!.Metadata.Name, Phases.Succeeded, Phases.Failed));
        }
        Assert.All(finished, b => Assert.Equal(Phases.Succeeded, b.Status!.Phase));
        Assert.Equal(3, (await scenario.Operator.TakeAsync(scenario.Settings.ContainerManagerQueue, 3, Within)).Count);

        // Limit 2: the oldest goes as soon as the third is settled, long before its time to live.
        await Eventually.WaitAsync(async () => await scenario.GetAsync(finished[0].Metadata.Name) is null, Within, "the oldest beyond the limit to be deleted");
        var oldestDone = new DateTimeOffset(DateTime.SpecifyKind(finished[0].Status!.CompletionTime!.Value, DateTimeKind.Utc));
        Assert.True(DateTimeOffset.UtcNow < oldestDone + ttl, "the limit, not the ttl, deleted it");
        Assert.NotNull(await scenario.GetAsync(finished[2].Metadata.Name));

        // The time to live: each of the other two goes once its ttl has passed, not before (1 s for the clocks' resolution).
        foreach (var build in finished.Skip(1))
        {
            await Eventually.WaitAsync(async () => await scenario.GetAsync(build.Metadata.Name) is null, ttl + Within, $"{build.Metadata.Name} to go after its ttl");
            var done = new DateTimeOffset(DateTime.SpecifyKind(build.Status!.CompletionTime!.Value, DateTimeKind.Utc));
            Assert.True(DateTimeOffset.UtcNow >= done + ttl - TimeSpan.FromSeconds(1), $"{build.Metadata.Name} deleted before its ttl");
        }
        var retired = await scenario.Kubernetes.CoreV1.ReadNamespacedConfigMapAsync(RetiredBuilds.ConfigMapName, scenario.Namespace);
        Assert.All(finished, b => Assert.Contains(b.Metadata.Name, retired.Data.Keys));

        // The first message again, as the broker redelivers it or a sender resends it. The bridge says it found the
        // retired build and acked the message; only after that line is the absence of a new build a result.
        await scenario.Operator.PublishAsync(scenario.Settings.BuildQueue, Request(app, token, repo), ids[0]);
        await Eventually.WaitAsync(() => Task.FromResult(scenario.Operator.Logs.Lines.Any(l =>
            l.Contains(finished[0].Metadata.Name, StringComparison.Ordinal) && l.Contains("is already ImageBuild", StringComparison.Ordinal))),
            Within, $"the bridge to find message {ids[0]} already built");

        Assert.Null(await FindAsync(scenario, ids[0]));
        Assert.Empty(await ListAsync(scenario));
        Assert.Equal(0u, await scenario.Operator.ReadyCountAsync(scenario.Settings.BuildQueue));
        Assert.Equal(0u, await scenario.Operator.ReadyCountAsync(scenario.Settings.ContainerManagerQueue));
    }

    private static string Request(string app, string token, string repo, string? commit = null) => JsonSerializer.Serialize(new Dictionary<string, string>
    {
        ["applicationID"] = app,
        ["userID"] = "rtests",
        ["token"] = token,
        ["type"] = commit is null ? "repo" : "commit",
        ["connector"] = "github",
        ["repo"] = repo,
        ["branch"] = "main",
        ["commit"] = commit ?? "",
    });

    /// <summary>A new application id to request builds for, once the bridge consumes the build queue (a request published before would go unread).</summary>
    private static async Task<string> NewApplicationAsync(BuildScenario scenario)
    {
        await scenario.Operator.WaitForConsumerAsync(scenario.Settings.BuildQueue, Within);
        return PlatformFixture.UniqueName("app");
    }

    /// <summary>Publishes <paramref name="request"/> as the backend does; the ImageBuilds, oldest request first, once there are <paramref name="count"/>.</summary>
    private static async Task<IList<ImageBuild>> RequestAsync(BuildScenario scenario, string request, int count)
    {
        await scenario.Operator.PublishAsync(scenario.Settings.BuildQueue, request);
        return await WaitForBuildsAsync(scenario, count);
    }

    /// <summary>A commit on main whose app prints <paramref name="marker"/> (and so builds at once, without a gate); its sha.</summary>
    private static Task<string> AddPrintingCommitAsync(BuildScenario scenario, string repo, string marker) =>
        scenario.GitHub.AddCommitAsync(repo, SampleApps.Printing(marker).ToDictionary(f => f.Key, string? (f) => f.Value, StringComparer.Ordinal), "main");

    private static async Task<IList<ImageBuild>> ListAsync(BuildScenario scenario) =>
        (await scenario.Kubernetes.CustomObjects.ListNamespacedCustomObjectAsync<ImageBuildList>(ImageBuild.Group, ImageBuild.Version, scenario.Namespace, ImageBuild.Plural)).Items;

    /// <summary>The ImageBuilds the bridge made, oldest request first, once there are <paramref name="count"/>.</summary>
    private static async Task<IList<ImageBuild>> WaitForBuildsAsync(BuildScenario scenario, int count) =>
        (await Eventually.ValueAsync(() => ListAsync(scenario), l => l.Count >= count, Within, $"{count} ImageBuild(s)")).OrderBy(RequestOrder.Of).ToList();

    private static async Task<ImageBuild?> FindAsync(BuildScenario scenario, string messageId) =>
        (await ListAsync(scenario)).SingleOrDefault(b => b.Metadata.Annotations?.TryGetValue(ImageBuildFactory.MessageIdAnnotation, out var id) == true && id == messageId);
}
