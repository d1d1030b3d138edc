using ImageBuilder.GitHubServer;
using ImageBuilder.Testing.Git;

namespace ImageBuilder.Operator.Tests.Integration.Sources;

/// <summary>The compiled sample's two commits differ only in the application source: what makes its warm build a cache test.</summary>
public sealed class CompiledSampleRepositoryTests(GitHubServerFixture fixture) : IClassFixture<GitHubServerFixture>
{
    private readonly GitHubTestServer _server = fixture.Server;

    [Fact]
    public async Task CreateAsync_SecondCommit_ChangesOnlySrcMainC()
    {
        var (repository, first, second) = await CompiledSampleRepository.CreateAsync(_server);

        var changed = await GitCli.RunAsync(repository.GitDirectory, ["diff", "--name-only", first, second]);

        Assert.Equal(["src/main.c"], changed.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(second, await GitHubTestServer.RevParseAsync(repository, "refs/heads/main"));
        Assert.Contains(CompiledSampleRepository.SecondOutput.TrimEnd(), CompiledSampleRepository.SecondCommitChanges["src/main.c"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task CreateAsync_SeededTwice_HasTheSameCommits()
    {
        var (_, first1, second1) = await CompiledSampleRepository.CreateAsync(_server);
        var (_, first2, second2) = await CompiledSampleRepository.CreateAsync(_server);

        Assert.Equal((first1, second1), (first2, second2));
        Assert.StartsWith("FROM 127.0.0.1:5000/base/gcc:12", CompiledSampleRepository.FirstCommitFiles["Dockerfile"].Split('\n').First(l => l.StartsWith("FROM", StringComparison.Ordinal)), StringComparison.Ordinal);
        Assert.Contains("lib/generate.sh", CompiledSampleRepository.FirstCommitFiles.Keys);
    }
}
