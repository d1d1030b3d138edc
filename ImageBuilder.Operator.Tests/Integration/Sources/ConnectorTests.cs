using ImageBuilder.GitHubServer;
using ImageBuilder.Operator.Api;
using ImageBuilder.Operator.Sources;
using ImageBuilder.Testing.Git;
using Microsoft.Extensions.DependencyInjection;

namespace ImageBuilder.Operator.Tests.Integration.Sources;

/// <summary>
/// What each connector's tests stand on: the shared GitHub test server, the resolver as the operator wires it
/// (<see cref="SourcesServices"/>), one user token per class, and the check every failure must pass: it never
/// carries that token.
/// </summary>
public abstract class ConnectorTests : IClassFixture<GitHubServerFixture>, IDisposable
{
    private readonly ServiceProvider _services;

    protected ConnectorTests(GitHubServerFixture fixture, string token, TimeSpan? timeout = null, TimeSpan? gitTimeout = null)
    {
        ArgumentNullException.ThrowIfNull(fixture);
        Server = fixture.Server;
        Token = token;
        _services = SourcesServices.Build(Server.BaseUrl, timeout, gitTimeout);
        Resolver = _services.Resolver();
    }

    protected GitHubTestServer Server { get; }

    protected ISourceResolver Resolver { get; }

    /// <summary>The user's token: the test server accepts it for the repositories a test creates.</summary>
    protected string Token { get; }

    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
        if (disposing)
        {
            _services.Dispose();
        }
    }

    protected Task<SourceResolution> ResolveAsync(SourceSpec spec) => Resolver.ResolveAsync(spec, Token, CancellationToken.None);

    /// <summary>The resolution failed with this fault and reason, and its message does not carry the token.</summary>
    protected virtual void AssertFailure(SourceResolution result, string fault, string reason)
    {
        ArgumentNullException.ThrowIfNull(result);
        Assert.False(result.Succeeded);
        Assert.Equal((fault, reason), (result.Failure!.Fault, result.Failure.Reason));
        Assert.DoesNotContain(Token, result.Failure.Message, StringComparison.Ordinal);
    }
}
