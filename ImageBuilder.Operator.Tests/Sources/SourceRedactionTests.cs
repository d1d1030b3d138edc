using ImageBuilder.Operator.Sources;

namespace ImageBuilder.Operator.Tests.Sources;

public sealed class SourceRedactionTests
{
    [Theory]
    [InlineData("https://user:s3cret@git.example/x.git", "https://***@git.example/x.git")]
    [InlineData("https://s3cret@git.example/x.git", "https://***@git.example/x.git")]
    [InlineData("s3cret@git.example:team/x.git", "***@git.example:team/x.git")]
    [InlineData("user:s3cret@git.example:x", "***@git.example:x")]
    [InlineData("octo/app", "octo/app")]
    [InlineData("https://git.example/x.git", "https://git.example/x.git")]
    [InlineData(null, "")]
    public void Redact_Reference_HidesCredentials(string? repo, string expected) => Assert.Equal(expected, SourceRedaction.Redact(repo));
}
