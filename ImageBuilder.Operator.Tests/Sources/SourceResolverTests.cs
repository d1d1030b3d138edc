using ImageBuilder.Operator.Api;
using ImageBuilder.Operator.Sources;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace ImageBuilder.Operator.Tests.Sources;

public sealed class SourceResolverTests
{
    [Theory]
    [InlineData(Connectors.GitHub, "octo/app")]
    [InlineData("GIT", "file:///srv/app.git")]
    public async Task ResolveAsync_KnownConnector_DispatchesToIt(string connector, string repo)
    {
        var github = new RecordingConnector(Connectors.GitHub);
        var git = new RecordingConnector(Connectors.Git);
        var resolver = new SourceResolver([github, git], NullLogger<SourceResolver>.Instance);

        var result = await resolver.ResolveAsync(new SourceSpec { Connector = connector, Repo = repo }, "t", CancellationToken.None);

        Assert.True(result.Succeeded);
        Assert.Equal(repo, Assert.Single(connector == Connectors.GitHub ? github.Seen : git.Seen));
    }

    [Fact]
    public async Task ResolveAsync_UnknownConnector_IsUserFaultInvalidSource()
    {
        var resolver = new SourceResolver([new RecordingConnector(Connectors.GitHub)], NullLogger<SourceResolver>.Instance);

        var result = await resolver.ResolveAsync(new SourceSpec { Connector = "gitlab", Repo = "a/b" }, null, CancellationToken.None);

        Assert.Equal((Faults.User, SourceFailureReasons.InvalidSource), (result.Failure!.Fault, result.Failure.Reason));
        Assert.Contains("gitlab", result.Failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddSources_ValidConfiguration_RegistersResolverWithBothConnectors()
    {
        using var services = Build(new Dictionary<string, string?> { ["GitHub:ApiUrl"] = "http://127.0.0.1:1/" });

        Assert.IsType<SourceResolver>(services.GetRequiredService<ISourceResolver>());
        Assert.Equal([Connectors.GitHub, Connectors.Git], services.GetServices<ISourceConnector>().Select(c => c.Name));
    }

    [Fact]
    public void AddSources_BadConfiguration_FailsWithAllErrorsAtOnce()
    {
        using var services = Build(new Dictionary<string, string?> { ["GitHub:ApiUrl"] = "nope", ["GitHub:Timeout"] = "00:00:00" });

        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<Options.GitHubOptions>>().Value);

        Assert.Equal(2, error.Failures.Count());
    }

    private static ServiceProvider Build(Dictionary<string, string?> settings) =>
        new ServiceCollection().AddLogging().AddSources(new ConfigurationBuilder().AddInMemoryCollection(settings).Build()).BuildServiceProvider();
}
