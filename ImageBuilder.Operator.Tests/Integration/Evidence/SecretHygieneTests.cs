using System.Text.Json;
using ImageBuilder.GitHubServer;
using ImageBuilder.Operator.Api;
using ImageBuilder.Testing.Operators;
using ImageBuilder.Testing.Queues;
using k8s;
using Xunit.Abstractions;

namespace ImageBuilder.Operator.Tests.Integration.Evidence;

/// <summary>
/// The whole operator in-process with RabbitMQ on its own queues: a success, a user fault, a service fault (held on the
/// fail queue) and malformed requests, all carrying a recognisable token; then every log line, Event, ImageBuild, Job,
/// Pod and queue message it can reach is searched for the token and the registry password.
/// </summary>
[Collection(PlatformCollection.Name)]
public sealed class SecretHygieneTests(PlatformFixture fixture, ITestOutputHelper output)
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(4);

    [Fact]
    public async Task EndToEnd_RequestsCarryingToken_TokenAndRegistryPasswordAppearNowhere()
    {
        var token = $"ghp_SECRETHYGIENE_{Guid.NewGuid():N}";
        var ns = await fixture.CreateNamespaceAsync("ev-secrets");
        // The retry listener is off so the service fault's retry stays on the fail queue where the test can read it.
        var overrides = new Dictionary<string, string?> { ["RabbitMq:RetryListener:Enabled"] = "false", ["Retry:DelayTiers:0"] = "00:00:01" };
        var host = await OperatorHost.StartWithOwnGitHubAsync(fixture, new OperatorHostSettings
        {
            Namespace = ns,
            RabbitMq = true,
            Overrides = new Dictionary<string, string?>(overrides, StringComparer.Ordinal),
        }, output);
        await using var queues = await TestQueues.ConnectAsync(fixture.AmqpUri);
        try
        {
            await host.GitHub.CreateRepositoryAsync("hygiene/ok", SampleRepository.Files, token, isPrivate: true);
            await host.GitHub.CreateRepositoryAsync("hygiene/flaky", SampleRepository.Files, token, isPrivate: true);
            host.GitHub.InjectFault("hygiene/flaky", FaultKind.InternalServerError, count: 1000);
            await queues.WaitForQueueAsync(host.Settings.BuildQueue, TimeSpan.FromSeconds(60));

            await queues.PublishAsync(host.Settings.BuildQueue, Request(token, "hygiene/ok"));
            await queues.PublishAsync(host.Settings.BuildQueue, Request(token, "hygiene/missing"));
            await queues.PublishAsync(host.Settings.BuildQueue, Request(token, "hygiene/flaky"));
            await queues.PublishAsync(host.Settings.BuildQueue, Request(token, "hygiene/ok").Replace("\"repo\"", "\"type\":\"bogus\",\"x\"", StringComparison.Ordinal));
            await queues.PublishAsync(host.Settings.BuildQueue, "not json at all " + token);

            var builds = await WaitForOutcomesAsync(ns);
            var failQueue = await WaitForMessagesAsync(queues, host.Settings.FailQueue, 1);
            var kusanali = await WaitForMessagesAsync(queues, host.Settings.KusanaliQueue, 3);
            var containerManager = await WaitForMessagesAsync(queues, host.Settings.ContainerManagerQueue, 1);

            Assert.Equal([Phases.Failed, Phases.Retrying, Phases.Succeeded], builds.Values.Order());
            Assert.All(kusanali.Take(3), m => Assert.Contains("\"failed\"", m, StringComparison.Ordinal));
            var everything = await CollectClusterTextAsync(ns);
            everything.AddRange(host.Logs.Lines.Select(l => "log: " + l));
            everything.AddRange(failQueue.Concat(kusanali).Concat(containerManager).Select(m => "message: " + m));
            Assert.Contains(host.Logs.Lines, l => l.Contains("BuildQueueBridge", StringComparison.Ordinal));
            Assert.Contains(host.Logs.Lines, l => l.Contains("ImageBuildReconciler", StringComparison.Ordinal));
            // The hits themselves are the failure message: where the secret leaked.
            var tokenHits = everything.Where(t => t.Contains(token, StringComparison.Ordinal)).ToList();
            var passwordHits = everything.Where(t => t.Contains(fixture.RegistryPassword, StringComparison.Ordinal)).ToList();
            Assert.True(await SecretsHoldAsync(ns, token), "control: the retrying build's token Secret should hold the token");
            Assert.Empty(tokenHits);
            Assert.Empty(passwordHits);
            await AssertQueueMetricsAsync(host);
        }
        finally
        {
            await host.DisposeAsync();
            await queues.DeleteAsync([host.Settings.BuildQueue, host.Settings.FailQueue, host.Settings.FailQueue + ".delay.1s", host.Settings.ContainerManagerQueue, host.Settings.KusanaliQueue]);
        }
    }

    /// <summary>The same run seen through /metrics: three requests became ImageBuilds, two were refused, one retry was scheduled.</summary>
    private static async Task AssertQueueMetricsAsync(OperatorHost host)
    {
        var expected = new Dictionary<string, double>(StringComparer.Ordinal)
        {
            ["""imagebuilder_bridge_messages_total{result="created"}"""] = 3,
            ["""imagebuilder_bridge_messages_total{result="rejected"}"""] = 2,
            ["""imagebuilder_retries_scheduled_total{fault="service"}"""] = 1,
            ["""imagebuilder_builds_total{outcome="failed",fault="user"}"""] = 1,
        };
        var metrics = await PrometheusText.ScrapeOnceAsync(host.Http, expected);
        Assert.Equal(expected, expected.ToDictionary(s => s.Key, s => PrometheusText.Value(metrics, s.Key), StringComparer.Ordinal));
        Assert.Contains("imagebuilder_build_queue_messages 0", metrics, StringComparison.Ordinal);
    }

    private static string Request(string token, string repo) => JsonSerializer.Serialize(new Dictionary<string, string>
    {
        ["applicationID"] = PlatformFixture.UniqueName("app"),
        ["token"] = token,
        ["userID"] = "18008",
        ["type"] = "repo",
        ["connector"] = "github",
        ["repo"] = repo,
    });

    /// <summary>Waits for the three valid requests: one built, one failed for good (user fault), one waiting to retry.</summary>
    private async Task<Dictionary<string, string>> WaitForOutcomesAsync(string ns)
    {
        var list = await Eventually.ValueAsync(
            () => fixture.Kubernetes.CustomObjects.ListNamespacedCustomObjectAsync<ImageBuildList>(ImageBuild.Group, ImageBuild.Version, ns, ImageBuild.Plural),
            l => l.Items.Count == 3 && l.Items.All(b => b.Status?.Phase is Phases.Succeeded or Phases.Failed or Phases.Retrying)
                && l.Items.All(b => b.Status?.Phase != Phases.Succeeded || b.Status.Notification is not null),
            Patience, "builds to settle", l => string.Join(", ", l.Items.Select(b => $"{b.Metadata.Name}={b.Status?.Phase}")));
        return list.Items.ToDictionary(b => b.Metadata.Name, b => b.Status?.Phase ?? "");
    }

    private static async Task<List<string>> WaitForMessagesAsync(TestQueues queues, string queue, int atLeast)
    {
        var messages = new List<string>();
        await Eventually.WaitAsync(async () =>
        {
            messages.AddRange(await queues.DrainAsync(queue));
            return messages.Count >= atLeast;
        }, Patience, $"{atLeast} message(s) on {queue}");
        Assert.True(messages.Count >= atLeast, $"{queue}: {messages.Count} messages, expected {atLeast}");
        return messages;
    }

    /// <summary>Whether a Secret of the namespace holds <paramref name="value"/>: the one place the token belongs.</summary>
    private async Task<bool> SecretsHoldAsync(string ns, string value)
    {
        var secrets = await fixture.Kubernetes.CoreV1.ListNamespacedSecretAsync(ns);
        return secrets.Items.SelectMany(s => s.Data?.Values ?? []).Any(v => System.Text.Encoding.UTF8.GetString(v) == value);
    }

    /// <summary>Every Event, ImageBuild, Job and Pod of the namespace as JSON, one string per object.</summary>
    private async Task<List<string>> CollectClusterTextAsync(string ns)
    {
        var k8s = fixture.Kubernetes;
        var texts = new List<string>();
        texts.AddRange((await k8s.CoreV1.ListNamespacedEventAsync(ns)).Items.Select(e => "event: " + KubernetesJson.Serialize(e)));
        var builds = await k8s.CustomObjects.ListNamespacedCustomObjectAsync<ImageBuildList>(ImageBuild.Group, ImageBuild.Version, ns, ImageBuild.Plural);
        texts.AddRange(builds.Items.Select(b => "imagebuild: " + KubernetesJson.Serialize(b)));
        var jobs = (await k8s.BatchV1.ListNamespacedJobAsync(ns)).Items;
        texts.AddRange(jobs.Select(j => "job: " + KubernetesJson.Serialize(j)));
        var pods = (await k8s.CoreV1.ListNamespacedPodAsync(ns)).Items;
        texts.AddRange(pods.Select(p => "pod: " + KubernetesJson.Serialize(p)));
        Assert.NotEmpty(jobs);
        Assert.NotEmpty(pods);
        Assert.Contains(texts, t => t.StartsWith("event: ", StringComparison.Ordinal));
        return texts;
    }
}
