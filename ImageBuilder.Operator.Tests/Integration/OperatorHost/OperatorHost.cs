using System.Text;
using System.Text.Json;
using ImageBuilder.Operator.Controllers;
using ImageBuilder.Operator.Hosting;
using ImageBuilder.Operator.RabbitMq;
using ImageBuilder.Operator.Tests.GitHubServer;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;
using Xunit.Abstractions;

namespace ImageBuilder.Operator.Tests.Integration.OperatorHost;

/// <summary>
/// The real operator host (Program.cs's three calls) started in-process against the development
/// platform, scoped to one test: its own namespace, Lease and queues, the GitHub test server as
/// GitHub, rootless BuildKit (<see cref="DevBuildKitImage"/>), and short delays. Disposing stops it and deletes its queues.
/// </summary>
public sealed class OperatorHost : IAsyncDisposable
{
    /// <summary>The rootless BuildKit image made here from Debian's sources (scripts/images.sh), in the node's Docker and the registry.</summary>
    public const string DevBuildKitImage = "127.0.0.1:5000/imagebuilder/buildkit:v0.13.2-rootless";

    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(40);
    private readonly WebApplication _app;
    private readonly PlatformFixture _fixture;
    private IConnection? _client;

    private OperatorHost(WebApplication app, PlatformFixture fixture, OperatorHostSettings settings, TestLogs logs)
    {
        _app = app;
        _fixture = fixture;
        Settings = settings;
        Logs = logs;
    }

    public OperatorHostSettings Settings { get; }

    /// <summary>Every line the operator logged, for assertions that no secret was logged.</summary>
    public TestLogs Logs { get; }

    public IServiceProvider Services => _app.Services;

    /// <summary>Where the host listens (a free port on 127.0.0.1).</summary>
    public Uri Url { get; private set; } = null!;

    public bool IsLeader => _app.Services.GetRequiredService<ILeaderStatus>().IsLeader;

    /// <summary>The configuration the harness gives the operator: its defaults, then <see cref="OperatorHostSettings.Overrides"/>.</summary>
    public static Dictionary<string, string?> Configuration(PlatformFixture fixture, GitHubTestServer github, OperatorHostSettings settings)
    {
        ArgumentNullException.ThrowIfNull(fixture);
        ArgumentNullException.ThrowIfNull(github);
        ArgumentNullException.ThrowIfNull(settings);
        var values = new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            ["KUBECONFIG"] = fixture.KubeConfigPath,
            ["Logging:LogLevel:Default"] = "Information",
            ["Logging:LogLevel:Microsoft"] = "Warning",
            ["Logging:LogLevel:System.Net.Http.HttpClient"] = "Warning",
            ["Controller:Namespace"] = settings.Namespace,
            ["Controller:BackoffBase"] = "00:00:00.500",
            ["Controller:BackoffMax"] = "00:00:05",
            ["Controller:ShutdownTimeout"] = "00:00:10",
            ["Controller:LeaderElection:LeaseName"] = settings.LeaseName,
            ["Controller:LeaderElection:LeaseNamespace"] = settings.Namespace,
            ["Controller:LeaderElection:LeaseDuration"] = "00:00:06",
            ["Controller:LeaderElection:RenewDeadline"] = "00:00:04",
            ["Controller:LeaderElection:RetryPeriod"] = "00:00:01",
            ["GitHub:ApiUrl"] = github.BaseUrl.ToString(),
            ["GitHub:Timeout"] = "00:00:10",
            // Every git server of the tests listens on loopback, which production refuses.
            ["Sources:Git:AllowLoopback"] = "true",
            ["Build:Strategy"] = "buildkit",
            ["Build:Registry"] = fixture.Registry,
            ["Build:RegistryUsername"] = fixture.RegistryUser,
            ["Build:RegistryPassword"] = fixture.RegistryPassword,
            ["Build:Images:Fetch"] = "imagebuilder/fetch:dev",
            // No nixpacks on this machine: the fetch image stands in, so repositories with a Dockerfile build.
            ["Build:Images:Nixpacks"] = "imagebuilder/fetch:dev",
            ["Build:Images:BuildKit"] = DevBuildKitImage,
            ["Build:ImagePullPolicy"] = "IfNotPresent",
            // The development cluster has no pod network; its registry speaks plain http.
            ["Build:HostNetwork"] = "true",
            ["Build:InsecureRegistries:0"] = fixture.Registry,
            ["Build:PendingTimeout"] = "00:01:00",
            ["Build:DefaultTimeout"] = "00:03:00",
            // Two cores shared with other tests: a build container must not ask for what the node lacks.
            ["Build:Resources:Requests:cpu"] = "10m",
            ["Build:Resources:Requests:memory"] = "32Mi",
            ["Build:Resources:Requests:ephemeral-storage"] = "256Mi",
            ["Retry:BaseDelay"] = "00:00:01",
            ["Retry:MaxDelay"] = "00:00:03",
            ["Retry:ReleaseGracePeriod"] = "00:00:30",
            ["RabbitMq:Enabled"] = settings.RabbitMq ? "true" : "false",
            ["RabbitMq:Uri"] = fixture.AmqpUri.ToString(),
            ["RabbitMq:BuildQueue"] = settings.BuildQueue,
            ["RabbitMq:FailQueue"] = settings.FailQueue,
            ["RabbitMq:ContainerManagerQueue"] = settings.ContainerManagerQueue,
            ["RabbitMq:KusanaliQueue"] = settings.KusanaliQueue,
            ["RabbitMq:TargetNamespace"] = settings.Namespace,
            ["RabbitMq:MaxConnectDelay"] = "00:00:02",
        };
        for (var i = 0; i < settings.DelayTiers.Count; i++)
        {
            values[$"Retry:DelayTiers:{i}"] = settings.DelayTiers[i].ToString("c", System.Globalization.CultureInfo.InvariantCulture);
        }
        foreach (var (key, value) in settings.Overrides)
        {
            values[key] = value;
        }
        return values;
    }

    /// <summary>
    /// Builds and starts the host, then waits until it answers /readyz. Other tests on the shared
    /// platform restart the broker now and then, so a start that finds it down waits and tries again.
    /// </summary>
    public static async Task<OperatorHost> StartAsync(PlatformFixture fixture, GitHubTestServer github, OperatorHostSettings settings, ITestOutputHelper output)
    {
        ArgumentNullException.ThrowIfNull(settings);
        for (var attempt = 1; ; attempt++)
        {
            if (settings.RabbitMq)
            {
                await WaitForBrokerAsync(fixture, TimeSpan.FromSeconds(90));
            }
            try
            {
                return await StartOnceAsync(fixture, github, settings, output);
            }
            catch (BrokerUnreachableException) when (attempt < 3)
            {
                output.WriteLine("the broker went away while the operator started; starting again");
            }
        }
    }

    private static async Task<OperatorHost> StartOnceAsync(PlatformFixture fixture, GitHubTestServer github, OperatorHostSettings settings, ITestOutputHelper output)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory, EnvironmentName = "Production" });
        builder.Configuration.AddInMemoryCollection(Configuration(fixture, github, settings));
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var logs = new TestLogs(output);
        builder.Logging.ClearProviders().AddProvider(logs);
        builder.AddImageBuilder();
        settings.ConfigureServices?.Invoke(builder.Services);
        var app = builder.Build();
        app.MapImageBuilderEndpoints();
        var host = new OperatorHost(app, fixture, settings, logs);
        try
        {
            await app.StartAsync();
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            host.Url = new Uri(address.TrimEnd('/') + "/");
            using var http = new HttpClient();
            var ready = "";
            // 503 until the informers have their first list.
            await Eventually.WaitAsync(async () =>
            {
                using var response = await http.GetAsync(new Uri(host.Url, "readyz"));
                ready = await response.Content.ReadAsStringAsync();
                return response.IsSuccessStatusCode;
            }, TimeSpan.FromSeconds(60), "the operator's /readyz");
            output.WriteLine($"operator on {host.Url}: {ready}");
            return host;
        }
        catch
        {
            await host.DisposeAsync();
            throw;
        }
    }

    private static Task WaitForBrokerAsync(PlatformFixture fixture, TimeSpan within) => Eventually.WaitAsync(async () =>
    {
        try
        {
            await using var connection = await new ConnectionFactory { Uri = fixture.AmqpUri }.CreateConnectionAsync();
            return true;
        }
        catch (BrokerUnreachableException)
        {
            return false;
        }
    }, within, "RabbitMQ to accept connections");

    /// <summary>Waits until this host holds the Lease (it alone reconciles then).</summary>
    public Task WaitForLeadershipAsync(TimeSpan within) =>
        Eventually.WaitAsync(() => Task.FromResult(IsLeader), within, $"the operator on {Url} to lead");

    /// <summary>Reads up to <paramref name="count"/> messages from <paramref name="queue"/> (acking them), waiting up to <paramref name="within"/>.</summary>
    public async Task<List<JsonElement>> TakeAsync(string queue, int count, TimeSpan within)
    {
        await using var channel = await ClientChannelAsync();
        var taken = new List<JsonElement>();
        await Eventually.WaitAsync(async () =>
        {
            while (taken.Count < count && await channel.BasicGetAsync(queue, autoAck: true) is { } result)
            {
                taken.Add(JsonDocument.Parse(result.Body).RootElement.Clone());
            }
            return taken.Count >= count;
        }, within, $"{count} message(s) on {queue} (got {taken.Count})");
        return taken;
    }

    /// <summary>Messages ready on <paramref name="queue"/> now.</summary>
    public async Task<uint> ReadyCountAsync(string queue)
    {
        await using var channel = await ClientChannelAsync();
        return (await channel.QueueDeclarePassiveAsync(queue)).MessageCount;
    }

    /// <summary>
    /// Publishes <paramref name="json"/> to <paramref name="queue"/> as the platform's backend does (default exchange, confirmed);
    /// with <paramref name="messageId"/> as a sender that sets one (the same id twice is a redelivered or resent message).
    /// </summary>
    public async Task PublishAsync(string queue, string json, string? messageId = null)
    {
        await using var channel = await ClientChannelAsync(confirms: true);
        var properties = new BasicProperties { ContentType = "application/json" };
        if (messageId is not null)
        {
            properties.MessageId = messageId;
        }
        await channel.BasicPublishAsync("", queue, mandatory: true, properties, Encoding.UTF8.GetBytes(json));
    }

    /// <summary>Waits until something consumes <paramref name="queue"/> (the operator declares and consumes its queues after start-up).</summary>
    public Task WaitForConsumerAsync(string queue, TimeSpan within) => Eventually.WaitAsync(async () =>
    {
        try
        {
            await using var channel = await ClientChannelAsync();
            return (await channel.QueueDeclarePassiveAsync(queue)).ConsumerCount > 0;
        }
        catch (OperationInterruptedException e) when (e.ShutdownReason?.ReplyCode == 404)
        {
            // Not declared yet: the operator is still connecting.
            return false;
        }
    }, within, $"a consumer on {queue}");

    private async Task<IChannel> ClientChannelAsync(bool confirms = false)
    {
        if (_client is { IsOpen: false })
        {
            // The broker restarted under us (another test's resilience check): connect again.
            await _client.DisposeAsync();
            _client = null;
        }
        _client ??= await new ConnectionFactory { Uri = _fixture.AmqpUri, ClientProvidedName = "rtests-" + Settings.QueuePrefix }.CreateConnectionAsync();
        return await _client.CreateChannelAsync(new CreateChannelOptions(confirms, confirms));
    }

    public async ValueTask DisposeAsync()
    {
        using (var timeout = new CancellationTokenSource(StopTimeout))
        {
            await _app.StopAsync(timeout.Token);
        }
        await _app.DisposeAsync();
        if (Settings.RabbitMq)
        {
            await DeleteQueuesAsync();
        }
        if (_client is not null)
        {
            await _client.DisposeAsync();
        }
    }

    private async Task DeleteQueuesAsync()
    {
        var tiers = new DelayTiers(Settings.FailQueue, [.. Settings.DelayTiers]);
        var queues = new[] { Settings.BuildQueue, Settings.FailQueue, Settings.ContainerManagerQueue, Settings.KusanaliQueue }
            .Concat(tiers.Tiers.Select(tiers.QueueName));
        foreach (var queue in queues)
        {
            try
            {
                await using var channel = await ClientChannelAsync();
                await channel.QueueDeleteAsync(queue, ifUnused: false, ifEmpty: false);
            }
            catch (OperationInterruptedException e) when (e.ShutdownReason?.ReplyCode == 404)
            {
                // A second host with the same settings deleted it already: nothing is left behind.
            }
            catch (BrokerUnreachableException)
            {
                // The broker is down (restarted by another test); the queues are only this test's, so the run goes on.
                return;
            }
        }
    }
}
