using ImageBuilder.Operator.Sources;

namespace ImageBuilder.Operator.Tests.Sources;

public sealed class GitHubClientFactoryTests
{
    [Theory]
    [InlineData("https://api.github.com/", "https://api.github.com/")]
    [InlineData("https://github.com/", "https://api.github.com/")]
    [InlineData("https://ghe.example/", "https://ghe.example/api/v3/")]
    [InlineData("http://127.0.0.1:8090/", "http://127.0.0.1:8090/api/v3/")]
    [InlineData("http://127.0.0.1:8090/api/v3/", "http://127.0.0.1:8090/api/v3/")]
    public void ToApiBase_ApiUrl_FollowsOctokitsEnterpriseRule(string apiUrl, string expected) =>
        Assert.Equal(expected, GitHubClientFactory.ToApiBase(new Uri(apiUrl)).AbsoluteUri);
}
