using ImageBuilder.Operator.Tests.GitHubServer;
using ImageBuilder.Operator.Tests.Integration.OperatorHost;
using Xunit.Abstractions;

namespace ImageBuilder.Operator.Tests.Integration.Evidence;

/// <summary>
/// The in-process operator of <see cref="OperatorHost.OperatorHost"/> with a GitHub test server of its own and an
/// HTTP client for its endpoints: what the evidence tests (metrics, secrets, faults) drive.
/// </summary>
public sealed class OperatorUnderTest : IAsyncDisposable
{
    private readonly OperatorHost.OperatorHost _host;

    private OperatorUnderTest(OperatorHost.OperatorHost host, GitHubTestServer github)
    {
        _host = host;
        GitHub = github;
        Http = new HttpClient { BaseAddress = host.Url };
    }

    public string Namespace => _host.Settings.Namespace;

    /// <summary>Queues are <c>{prefix}.build</c>, <c>.fail</c>, <c>.cm</c> and <c>.kusanali</c>.</summary>
    public string QueuePrefix => _host.Settings.QueuePrefix;

    public string BuildQueue => _host.Settings.BuildQueue;

    public string ContainerManagerQueue => _host.Settings.ContainerManagerQueue;

    public string KusanaliQueue => _host.Settings.KusanaliQueue;

    public string FailQueue => _host.Settings.FailQueue;

    public GitHubTestServer GitHub { get; }

    public TestLogs Logs => _host.Logs;

    /// <summary>Talks to the host's endpoints (<c>/metrics</c>, <c>/healthz</c>, <c>/readyz</c>).</summary>
    public HttpClient Http { get; }

    public IServiceProvider Services => _host.Services;

    public static async Task<OperatorUnderTest> StartAsync(PlatformFixture fixture, string @namespace, bool rabbitMq, ITestOutputHelper output,
        IReadOnlyDictionary<string, string?>? overrides = null)
    {
        var github = await GitHubTestServer.StartAsync();
        try
        {
            var settings = new OperatorHostSettings
            {
                Namespace = @namespace,
                RabbitMq = rabbitMq,
                QueuePrefix = PlatformFixture.UniqueName("ev"),
                Overrides = new Dictionary<string, string?>(overrides ?? new Dictionary<string, string?>(), StringComparer.Ordinal),
            };
            return new OperatorUnderTest(await OperatorHost.OperatorHost.StartAsync(fixture, github, settings, output), github);
        }
        catch
        {
            await github.DisposeAsync();
            throw;
        }
    }

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

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _host.DisposeAsync();
        await GitHub.DisposeAsync();
    }
}
