using System.Text.Json;
using ImageBuilder.GitHubServer;
using ImageBuilder.Operator.Controllers;
using ImageBuilder.Operator.Hosting;
using ImageBuilder.Operator.RabbitMq;
using ImageBuilder.Testing.Queues;
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

namespace ImageBuilder.Testing.Operators;

/// <summary>
/// The real operator host (Program.cs's three calls) started in-process against the development
/// platform, scoped to one test: its own namespace, Lease and queues, the GitHub test server as
/// GitHub, rootless BuildKit (<see cref="OperatorConfiguration.DevBuildKitImage"/>), and short delays. Disposing stops it and
/// deletes its queues (and stops the GitHub test server when the host started its own).
/// </summary>
public sealed class OperatorHost : IOperatorInstance
{
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(40);
    private readonly WebApplication _app;
    private GitHubTestServer? _ownGitHub;

    private OperatorHost(WebApplication app, PlatformFixture fixture, GitHubTestServer github, OperatorHostSettings settings, TestLogs logs)
    {
        _app = app;
        GitHub = github;
        Settings = settings;
        Logs = logs;
        Queues = new TestQueues(fixture.AmqpUri, "rtests-" + settings.QueuePrefix);
    }

    public OperatorHostSettings Settings { get; }

    /// <summary>The GitHub test server the operator talks to as GitHub.</summary>
    public GitHubTestServer GitHub { get; }

    /// <summary>The platform's side of the broker: publishes requests to this host's queues and reads its answers.</summary>
    public TestQueues Queues { get; }

    /// <summary>Talks to the host's endpoints (<c>/metrics</c>, <c>/healthz</c>, <c>/readyz</c>).</summary>
    public HttpClient Http { get; private set; } = null!;

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
        var fast = new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            ["Logging:LogLevel:Default"] = "Information",
            ["Logging:LogLevel:Microsoft"] = "Warning",
            ["Logging:LogLevel:System.Net.Http.HttpClient"] = "Warning",
            ["Controller:BackoffBase"] = "00:00:00.500",
            ["Controller:BackoffMax"] = "00:00:05",
            ["Controller:ShutdownTimeout"] = "00:00:10",
            ["Controller:LeaderElection:LeaseDuration"] = "00:00:06",
            ["Controller:LeaderElection:RenewDeadline"] = "00:00:04",
            ["Controller:LeaderElection:RetryPeriod"] = "00:00:01",
            ["GitHub:Timeout"] = "00:00:10",
            // Every git server of the tests listens on loopback, which production refuses.
            ["Sources:Git:AllowLoopback"] = "true",
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
            ["RabbitMq:MaxConnectDelay"] = "00:00:02",
        };
        return OperatorConfiguration.Merge(
            OperatorConfiguration.Platform(fixture.Platform, github.BaseUrl),
            OperatorConfiguration.Scope(settings.Namespace, settings.LeaseName, settings.QueuePrefix),
            fast,
            OperatorConfiguration.DelayTiers(settings.DelayTiers),
            settings.Overrides);
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

    /// <summary><see cref="StartAsync(PlatformFixture, GitHubTestServer, OperatorHostSettings, ITestOutputHelper)"/> with a GitHub test server of its own, stopped with the host.</summary>
    public static async Task<OperatorHost> StartWithOwnGitHubAsync(PlatformFixture fixture, OperatorHostSettings settings, ITestOutputHelper output)
    {
        var github = await GitHubTestServer.StartAsync();
        try
        {
            var host = await StartAsync(fixture, github, settings, output);
            host._ownGitHub = github;
            return host;
        }
        catch
        {
            await github.DisposeAsync();
            throw;
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
        var host = new OperatorHost(app, fixture, github, settings, logs);
        try
        {
            await app.StartAsync();
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            host.Url = new Uri(address.TrimEnd('/') + "/");
            host.Http = new HttpClient { BaseAddress = host.Url };
            // 503 until the informers have their first list.
            var ready = await Readyz.WaitAsync(host.Url, a => a.IsSuccess, TimeSpan.FromSeconds(60), "the operator's /readyz");
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

    /// <summary>Waits until <c>/readyz</c> says this host leads; returns that answer.</summary>
    public Task<string> WaitForLeaderAsync(TimeSpan within) => Readyz.WaitForLeaderAsync(Url, within);

    /// <summary>Reads up to <paramref name="count"/> messages from <paramref name="queue"/> (acking them), waiting up to <paramref name="within"/>.</summary>
    public Task<List<JsonElement>> TakeAsync(string queue, int count, TimeSpan within) => Queues.TakeJsonAsync(queue, count, within);

    /// <summary>Messages ready on <paramref name="queue"/> now.</summary>
    public Task<uint> ReadyCountAsync(string queue) => Queues.ReadyCountAsync(queue);

    /// <summary>Publishes <paramref name="json"/> to <paramref name="queue"/> as the platform's backend does (<see cref="TestQueues.PublishLikeBackendAsync"/>).</summary>
    public Task PublishAsync(string queue, string json, string? messageId = null) => Queues.PublishLikeBackendAsync(queue, json, messageId);

    /// <summary>Waits until something consumes <paramref name="queue"/> (the operator declares and consumes its queues after start-up).</summary>
    public Task WaitForConsumerAsync(string queue, TimeSpan within) => Queues.WaitForConsumerAsync(queue, within);

    public async ValueTask DisposeAsync()
    {
        Http?.Dispose();
        using (var timeout = new CancellationTokenSource(StopTimeout))
        {
            await _app.StopAsync(timeout.Token);
        }
        await _app.DisposeAsync();
        if (Settings.RabbitMq)
        {
            await DeleteQueuesAsync();
        }
        await Queues.DisposeAsync();
        if (_ownGitHub is not null)
        {
            await _ownGitHub.DisposeAsync();
        }
    }

    private async Task DeleteQueuesAsync()
    {
        var tiers = new DelayTiers(Settings.FailQueue, [.. Settings.DelayTiers]);
        try
        {
            await Queues.DeleteAsync(new[] { Settings.BuildQueue, Settings.FailQueue, Settings.ContainerManagerQueue, Settings.KusanaliQueue }
                .Concat(tiers.Tiers.Select(tiers.QueueName)));
        }
        catch (BrokerUnreachableException)
        {
            // The broker is down (restarted by another test); the queues are only this test's, so the run goes on.
        }
    }
}
