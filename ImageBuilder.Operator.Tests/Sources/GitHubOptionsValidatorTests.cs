using ImageBuilder.Operator.Options;

namespace ImageBuilder.Operator.Tests.Sources;

public sealed class GitHubOptionsValidatorTests
{
    [Fact]
    public void Validate_Defaults_Succeeds() => Assert.True(new GitHubOptionsValidator().Validate(null, new GitHubOptions()).Succeeded);

    [Fact]
    public void Validate_SeveralBadValues_ReportsEveryErrorWithItsPath()
    {
        var options = new GitHubOptions { ApiUrl = "ftp://x", Timeout = TimeSpan.Zero, GitTimeout = TimeSpan.FromHours(1), ProductHeader = "image builder" };

        var result = new GitHubOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Equal(
            ["GitHub:ApiUrl", "GitHub:Timeout", "GitHub:GitTimeout", "GitHub:ProductHeader"],
            result.Failures!.Select(f => f.Split(' ')[0]));
    }

    [Fact]
    public void Validate_ApiUrlWithCredentials_Fails()
    {
        var result = new GitHubOptionsValidator().Validate(null, new GitHubOptions { ApiUrl = "https://u:p@ghe.example/" });

        Assert.Contains(result.Failures!, f => f.Contains("credentials", StringComparison.Ordinal));
    }
}
