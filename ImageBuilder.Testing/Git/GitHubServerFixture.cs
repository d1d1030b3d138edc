using ImageBuilder.GitHubServer;
using Xunit;

namespace ImageBuilder.Testing.Git;

/// <summary>One <see cref="GitHubTestServer"/> per test class; tests make their own repositories with <see cref="UniqueRepository"/>.</summary>
public sealed class GitHubServerFixture : IAsyncLifetime
{
    public GitHubTestServer Server { get; private set; } = null!;

    /// <summary>A fresh <c>owner/name</c> so tests sharing the server never see each other's repositories.</summary>
    public static string UniqueRepository(string owner = "octo") => $"{owner}/repo-{Guid.NewGuid():N}"[..(owner.Length + 14)];

    public async Task InitializeAsync() => Server = await GitHubTestServer.StartAsync();

    public async Task DisposeAsync() => await Server.DisposeAsync();
}
