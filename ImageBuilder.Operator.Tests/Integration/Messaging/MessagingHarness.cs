using System.Text;
using System.Text.Json;
using ImageBuilder.Operator.Hosting;
using ImageBuilder.Operator.Metrics;
using ImageBuilder.Operator.Options;
using ImageBuilder.Operator.RabbitMq;
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
/// queues of their own, plus a plain client connection for the test to publish and read with.
/// </summary>
public sealed class MessagingHarness : IAsyncDisposable
{
    private readonly List<IHostedService> _started = [];
    private IConnection? _client;

    private MessagingHarness(ServiceProvider provider, RabbitMqOptions options, TestLogs logs, Uri amqp)
    {
        Provider = provider;
        Options = options;
        Logs = logs;
        Amqp = amqp;
    }

    public ServiceProvider Provider { get; }

    public RabbitMqOptions Options { get; }

    public TestLogs Logs { get; }

    public Uri Amqp { get; }

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
        return new MessagingHarness(provider, options, logs, fixture.AmqpUri);
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
            await WaitUntilAsync(async () => await ConsumerCountAsync(queue) > 0, TimeSpan.FromSeconds(30), $"a consumer on {queue}");
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

    public async Task<IChannel> ClientChannelAsync(bool confirms = true)
    {
        _client ??= await new ConnectionFactory { Uri = Amqp, AutomaticRecoveryEnabled = true, NetworkRecoveryInterval = TimeSpan.FromSeconds(1) }.CreateConnectionAsync();
        return await _client.CreateChannelAsync(new CreateChannelOptions(confirms, confirms));
    }

    /// <summary>Publishes as the platform's backend does: default exchange, JSON, not persistent, no message id.</summary>
    public async Task PublishLikeBackendAsync(string body, string? messageId = null)
    {
        await using var channel = await ClientChannelAsync();
        var properties = new BasicProperties { ContentType = "application/json" };
        if (messageId is not null)
        {
            properties.MessageId = messageId;
        }
        await channel.BasicPublishAsync("", Options.BuildQueue, mandatory: true, properties, Encoding.UTF8.GetBytes(body));
    }

    /// <summary>Publishes many bodies backend-style on one channel, each confirmed.</summary>
    public async Task PublishManyLikeBackendAsync(IEnumerable<string> bodies)
    {
        await using var channel = await ClientChannelAsync();
        foreach (var body in bodies)
        {
            await channel.BasicPublishAsync("", Options.BuildQueue, mandatory: true, new BasicProperties { ContentType = "application/json" }, Encoding.UTF8.GetBytes(body));
        }
    }

    /// <summary>Reads <paramref name="count"/> messages from a queue (acking them), waiting up to <paramref name="within"/> for them.</summary>
    public async Task<List<BasicGetResult>> TakeAsync(string queue, int count, TimeSpan within)
    {
        await using var channel = await ClientChannelAsync(confirms: false);
        var taken = new List<BasicGetResult>();
        using var timeout = new CancellationTokenSource(within);
        while (taken.Count < count)
        {
            var result = await channel.BasicGetAsync(queue, autoAck: true, CancellationToken.None);
            if (result is not null)
            {
                taken.Add(new BasicGetResult(result.DeliveryTag, result.Redelivered, result.Exchange, result.RoutingKey, result.MessageCount, result.BasicProperties, result.Body.ToArray()));
                continue;
            }
            if (timeout.IsCancellationRequested)
            {
                throw new TimeoutException($"only {taken.Count} of {count} messages arrived on {queue} within {within}");
            }
            await Task.Delay(100, CancellationToken.None);
        }
        return taken;
    }

    /// <summary>Ready messages in a queue (not counting unacked ones).</summary>
    public async Task<uint> ReadyCountAsync(string queue)
    {
        await using var channel = await ClientChannelAsync(confirms: false);
        return (await channel.QueueDeclarePassiveAsync(queue)).MessageCount;
    }

    public static async Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan within, string what)
    {
        using var timeout = new CancellationTokenSource(within);
        while (!await condition())
        {
            if (timeout.IsCancellationRequested)
            {
                throw new TimeoutException($"{what} did not happen within {within}");
            }
            await Task.Delay(100, CancellationToken.None);
        }
    }

    public static JsonElement Json(BasicGetResult message) => JsonDocument.Parse(message.Body).RootElement.Clone();

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
            if (_client is not null)
            {
                await _client.DisposeAsync();
            }
        }
    }

    private IEnumerable<string> TierQueuesSafe() =>
        new RetryOptions { DelayTiers = [TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(3)] }.EffectiveDelayTiers()
            .Select(t => new DelayTiers(Options.FailQueue, [t]).QueueName(t));
}
