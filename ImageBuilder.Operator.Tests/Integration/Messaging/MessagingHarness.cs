using System.Text.Json;
using ImageBuilder.Operator.Hosting;
using ImageBuilder.Operator.Metrics;
using ImageBuilder.Operator.Options;
using ImageBuilder.Operator.RabbitMq;
using ImageBuilder.Testing.Queues;
using k8s;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using RabbitMQ.Client;
using Xunit.Abstractions;

namespace ImageBuilder.Operator.Tests.Integration.Messaging;

/// <summary>
/// The messaging roles wired through <c>AddMessaging</c> against the real broker and cluster, on
/// queues of their own, plus a plain client (<see cref="Queues"/>) for the test to publish and read with.
/// </summary>
public sealed class MessagingHarness : IAsyncDisposable
{
    private readonly List<IHostedService> _started = [];

    private MessagingHarness(ServiceProvider provider, RabbitMqOptions options, TestLogs logs, Uri amqp, string @namespace)
    {
        Namespace = @namespace;
        Provider = provider;
        Options = options;
        Logs = logs;
        Amqp = amqp;
        Queues = new TestQueues(amqp, "imagebuilder-messaging-tests");
    }

    public ServiceProvider Provider { get; }

    public RabbitMqOptions Options { get; }

    public TestLogs Logs { get; }

    public Uri Amqp { get; }

    /// <summary>Where the bridge writes its ImageBuilds (<see cref="RabbitMqOptions.TargetNamespace"/>).</summary>
    public string Namespace { get; }

    /// <summary>The platform's side of the roles' queues.</summary>
    public TestQueues Queues { get; }

    public static MessagingHarness Create(PlatformFixture fixture, ITestOutputHelper output, string @namespace,
        Dictionary<string, string?>? settings = null, IKubernetes? kubernetes = null)
    {
        var prefix = PlatformFixture.UniqueName("mq");
        var values = new Dictionary<string, string?>
        {
            ["RabbitMq:Uri"] = fixture.AmqpUri.ToString(),
            ["RabbitMq:BuildQueue"] = prefix + ".build",
            ["RabbitMq:FailQueue"] = prefix + ".fail",
            ["RabbitMq:ContainerManagerQueue"] = prefix + ".cm",
            ["RabbitMq:KusanaliQueue"] = prefix + ".kusanali",
            ["RabbitMq:TargetNamespace"] = @namespace,
            ["RabbitMq:RequeueDelay"] = "00:00:00.200",
            ["RabbitMq:MaxRequeueDelay"] = "00:00:01",
            ["Retry:DelayTiers:0"] = "00:00:01",
            ["Retry:DelayTiers:1"] = "00:00:03",
        };
        foreach (var (key, value) in settings ?? [])
        {
            values[key] = value;
        }
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        var logs = new TestLogs(output);
        var services = new ServiceCollection();
        services.AddLogging(b => b.ClearProviders().AddProvider(logs).SetMinimumLevel(LogLevel.Information));
        services.AddSingleton(kubernetes ?? fixture.Kubernetes);
        services.AddOperatorMetrics();
        services.AddMessaging(configuration);
        var provider = services.BuildServiceProvider();
        var options = provider.GetRequiredService<Microsoft.Extensions.Options.IOptions<RabbitMqOptions>>().Value;
        return new MessagingHarness(provider, options, logs, fixture.AmqpUri, @namespace);
    }

    /// <summary>
    /// A namespace of its own (named after <paramref name="namespacePrefix"/>) as the bridge's target, and the harness
    /// started in it (<see cref="StartAsync()"/>), for the tests whose bridge writes to the cluster.
    /// </summary>
    public static async Task<MessagingHarness> StartInNewNamespaceAsync(PlatformFixture fixture, ITestOutputHelper output, string namespacePrefix,
        Dictionary<string, string?>? settings = null, IKubernetes? kubernetes = null)
    {
        ArgumentNullException.ThrowIfNull(fixture);
        var harness = Create(fixture, output, await fixture.CreateNamespaceAsync(namespacePrefix), settings, kubernetes);
        try
        {
            await harness.StartAsync();
            return harness;
        }
        catch
        {
            // The caller never gets the harness to dispose: its queues and roles go here.
            await harness.DisposeAsync();
            throw;
        }
    }

    /// <summary>Starts the hosted roles (bridge, retry listener) as the host would, and waits until each consumes.</summary>
    public async Task StartAsync()
    {
        await Provider.GetRequiredService<RabbitMqConnection>().GetAsync(CancellationToken.None);
        foreach (var service in Provider.GetServices<IHostedService>())
        {
            await service.StartAsync(CancellationToken.None);
            _started.Add(service);
        }
        var consumed = new List<string>();
        if (Options.Bridge.Enabled)
        {
            consumed.Add(Options.BuildQueue);
        }
        if (Options.RetryListener.Enabled)
        {
            consumed.Add(Options.FailQueue);
        }
        foreach (var queue in consumed)
        {
            await Queues.WaitForConsumerAsync(queue, TimeSpan.FromSeconds(30));
        }
    }

    public async Task<uint> ConsumerCountAsync(string queue)
    {
        await using var channel = await ClientChannelAsync(confirms: false);
        return (await channel.QueueDeclarePassiveAsync(queue)).ConsumerCount;
    }

    public async Task StopAsync()
    {
        foreach (var service in _started)
        {
            await service.StopAsync(CancellationToken.None);
        }
        _started.Clear();
    }

    public Task<IChannel> ClientChannelAsync(bool confirms = true) => Queues.ChannelAsync(confirms);

    /// <summary>Publishes as the platform's backend does (<see cref="TestQueues.PublishLikeBackendAsync"/>) to the build queue.</summary>
    public Task PublishLikeBackendAsync(string body, string? messageId = null) => Queues.PublishLikeBackendAsync(Options.BuildQueue, body, messageId);

    /// <summary>Publishes many bodies backend-style to the build queue on one channel, each confirmed.</summary>
    public Task PublishManyLikeBackendAsync(IEnumerable<string> bodies) => Queues.PublishManyLikeBackendAsync(Options.BuildQueue, bodies);

    /// <summary>Reads <paramref name="count"/> messages from a queue (acking them), waiting up to <paramref name="within"/> for them.</summary>
    public Task<List<BasicGetResult>> TakeAsync(string queue, int count, TimeSpan within) => Queues.TakeAsync(queue, count, within);

    /// <summary>Ready messages in a queue (not counting unacked ones).</summary>
    public Task<uint> ReadyCountAsync(string queue) => Queues.ReadyCountAsync(queue);

    public static JsonElement Json(BasicGetResult message) => TestQueues.Json(message);

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        await Provider.DisposeAsync();
        try
        {
            await using var channel = await ClientChannelAsync(confirms: false);
            foreach (var queue in new[] { Options.BuildQueue, Options.FailQueue, Options.ContainerManagerQueue, Options.KusanaliQueue }.Concat(TierQueuesSafe()))
            {
                await channel.QueueDeleteAsync(queue, ifUnused: false, ifEmpty: false);
            }
        }
        finally
        {
            await Queues.DisposeAsync();
        }
    }

    private IEnumerable<string> TierQueuesSafe() =>
        new RetryOptions { DelayTiers = [TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(3)] }.EffectiveDelayTiers()
            .Select(t => new DelayTiers(Options.FailQueue, [t]).QueueName(t));
}
