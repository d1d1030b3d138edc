using ImageBuilder.Operator.Sources;

namespace ImageBuilder.Operator.Tests.Sources;

public sealed class GitHubRepositoryNameTests
{
    [Theory]
    [InlineData("vano2903/testing", "vano2903", "testing")]
    [InlineData("octo-org/my.repo_1", "octo-org", "my.repo_1")]
    [InlineData("octo/app.git", "octo", "app")]
    public void TryParse_OwnerSlashName_Parses(string value, string owner, string name)
    {
        Assert.True(GitHubRepositoryName.TryParse(value, out var parsed));
        Assert.Equal(new GitHubRepositoryName(owner, name), parsed);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("octo")]
    [InlineData("octo/app/extra")]
    [InlineData("../app")]
    [InlineData("octo/..")]
    [InlineData("-octo/app")]
    [InlineData("octo/a pp")]
    [InlineData("octo/app?x=1")]
    [InlineData("https://github.com/octo/app")]
    [InlineData("octo/app%2F..")]
    public void TryParse_NotOwnerSlashName_Fails(string? value) => Assert.False(GitHubRepositoryName.TryParse(value, out _));
}
