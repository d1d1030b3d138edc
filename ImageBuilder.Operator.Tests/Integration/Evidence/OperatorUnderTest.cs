using ImageBuilder.Operator.Hosting;
using ImageBuilder.Operator.Tests.GitHubServer;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace ImageBuilder.Operator.Tests.Integration.Evidence;

/// <summary>
/// The real operator host (WebApplication + <c>AddImageBuilder()</c>) in-process, scoped to one namespace with its own
/// Lease, its own queues and a GitHub test server of its own; the docker strategy builds for real on the dev cluster.
/// </summary>
public sealed class OperatorUnderTest : IAsyncDisposable
{
    private readonly WebApplication _app;

    private OperatorUnderTest(WebApplication app, string @namespace, string queuePrefix, GitHubTestServer github, CapturedLogs logs)
    {
        _app = app;
        Namespace = @namespace;
        QueuePrefix = queuePrefix;
        GitHub = github;
        Logs = logs;
        Http = new HttpClient { BaseAddress = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()) };
    }

    public string Namespace { get; }

    /// <summary>Queues are <c>{prefix}.build</c>, <c>.fail</c>, <c>.cm</c> and <c>.kusanali</c>.</summary>
    public string QueuePrefix { get; }

    public string BuildQueue => QueuePrefix + ".build";

    public string ContainerManagerQueue => QueuePrefix + ".cm";

    public string KusanaliQueue => QueuePrefix + ".kusanali";

    public string FailQueue => QueuePrefix + ".fail";

    public GitHubTestServer GitHub { get; }

    public CapturedLogs Logs { get; }

    /// <summary>Talks to the host's endpoints (<c>/metrics</c>, <c>/healthz</c>, <c>/readyz</c>).</summary>
    public HttpClient Http { get; }

    /// <summary>Polls <c>/readyz</c> (503 until the caches are loaded) until this host leads; returns its last answer.</summary>
    public async Task<string> WaitForLeaderAsync()
    {
        var text = "";
        for (var i = 0; i < 240 && text != "ready (leader)"; i++)
        {
            using var response = await Http.GetAsync(new Uri("/readyz", UriKind.Relative));
            text = await response.Content.ReadAsStringAsync();
            if (text != "ready (leader)")
            {
                await Task.Delay(250);
            }
        }
        return text;
    }

    public IServiceProvider Services => _app.Services;

    public static async Task<OperatorUnderTest> StartAsync(PlatformFixture fixture, string @namespace, bool rabbitMq, ITestOutputHelper? output = null,
        IReadOnlyDictionary<string, string?>? overrides = null)
    {
        ArgumentNullException.ThrowIfNull(fixture);
        var github = await GitHubTestServer.StartAsync();
        var queuePrefix = PlatformFixture.UniqueName("ev");
        var settings = Settings(fixture, @namespace, rabbitMq, queuePrefix, github);
        foreach (var (key, value) in overrides ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }
        var logs = new CapturedLogs(output);
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Development", ApplicationName = typeof(ImageBuilderHostExtensions).Assembly.GetName().Name });
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddInMemoryCollection(settings);
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders().AddProvider(logs).SetMinimumLevel(LogLevel.Debug);
        builder.AddImageBuilder();
        var app = builder.Build();
        app.MapImageBuilderEndpoints();
        try
        {
            await app.StartAsync();
        }
        catch
        {
            await app.DisposeAsync();
            await github.DisposeAsync();
            throw;
        }
        return new OperatorUnderTest(app, @namespace, queuePrefix, github, logs);
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        using (var stop = new CancellationTokenSource(TimeSpan.FromSeconds(40)))
        {
            await _app.StopAsync(stop.Token);
        }
        await _app.DisposeAsync();
        await GitHub.DisposeAsync();
    }

    private static Dictionary<string, string?> Settings(PlatformFixture fixture, string @namespace, bool rabbitMq, string queuePrefix, GitHubTestServer github) => new()
    {
        ["KUBECONFIG"] = fixture.KubeConfigPath,
        ["Controller:Namespace"] = @namespace,
        ["Controller:LeaderElection:LeaseNamespace"] = @namespace,
        ["Controller:LeaderElection:LeaseName"] = queuePrefix,
        ["GitHub:ApiUrl"] = github.BaseUrl.AbsoluteUri,
        ["Build:Strategy"] = "docker",
        ["Build:Registry"] = fixture.Registry,
        ["Build:RegistryUsername"] = fixture.RegistryUser,
        ["Build:RegistryPassword"] = fixture.RegistryPassword,
        ["Build:Images:Fetch"] = "imagebuilder/fetch:dev",
        ["Build:Images:DockerBuilder"] = "imagebuilder/docker-builder:dev",
        ["Build:ImagePullPolicy"] = "IfNotPresent",
        ["RabbitMq:Enabled"] = rabbitMq ? "true" : "false",
        ["RabbitMq:Uri"] = fixture.AmqpUri.ToString(),
        ["RabbitMq:BuildQueue"] = queuePrefix + ".build",
        ["RabbitMq:FailQueue"] = queuePrefix + ".fail",
        ["RabbitMq:ContainerManagerQueue"] = queuePrefix + ".cm",
        ["RabbitMq:KusanaliQueue"] = queuePrefix + ".kusanali",
        ["RabbitMq:TargetNamespace"] = @namespace,
        ["Retry:BaseDelay"] = "00:00:02",
    };
}
