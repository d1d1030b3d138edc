using ImageBuilder.Operator.Api;
using ImageBuilder.Operator.Sources;

namespace ImageBuilder.Operator.Tests.Sources;

public sealed class GitUrlsTests
{
    [Theory]
    [InlineData("https://git.example/team/app.git")]
    [InlineData("http://127.0.0.1:8090/octo/app.git")]
    [InlineData("git://127.0.0.1:9418/octo/app.git")]
    [InlineData("file:///srv/git/app.git")]
    public void Parse_SupportedUrl_ReturnsIt(string value)
    {
        var (url, failure) = GitUrls.Parse(value);

        Assert.Null(failure);
        Assert.Equal(value, url!.OriginalString);
    }

    [Theory]
    [InlineData("https://user:pass@git.example/app.git", "credentials")]
    [InlineData("https://token@git.example/app.git", "credentials")]
    [InlineData("ssh://git.example/app.git", "scheme")]
    [InlineData("ext::sh -c id", "not a git URL")]
    [InlineData("/srv/git/app.git", "not a git URL")]
    [InlineData("-u/x", "not a git URL")]
    [InlineData("", "not a git URL")]
    [InlineData("https://git.example/app.git#frag", "not a git URL")]
    public void Parse_UnsupportedUrl_IsUserFaultSayingWhy(string value, string why)
    {
        var (url, failure) = GitUrls.Parse(value);

        Assert.Null(url);
        Assert.Equal((Faults.User, SourceFailureReasons.InvalidSource), (failure!.Fault, failure.Reason));
        Assert.Contains(why, failure.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("pass@", failure.Message, StringComparison.Ordinal);
    }
}
