using ImageBuilder.Operator.Sources;

namespace ImageBuilder.Operator.Tests.Sources;

public sealed class GitLsRemoteOutputTests
{
    private const string A = "1111111111111111111111111111111111111111";
    private const string B = "2222222222222222222222222222222222222222";
    private const string T = "3333333333333333333333333333333333333333";

    private static readonly string Output = $$"""
        ref: refs/heads/trunk	HEAD
        {{A}}	HEAD
        {{A}}	refs/heads/trunk
        {{B}}	refs/heads/feature/x
        {{T}}	refs/tags/v1
        {{B}}	refs/tags/v1^{}
        {{A}}	refs/tags/light
        garbage line
        """;

    [Fact]
    public void Parse_SymrefOutput_FindsDefaultBranchBranchesAndPeeledTags()
    {
        var remote = GitLsRemoteOutput.Parse(Output);

        Assert.Equal("trunk", remote.DefaultBranch);
        Assert.Equal(A, remote.Branch("trunk"));
        Assert.Equal(B, remote.Branch("feature/x"));
        Assert.Equal(B, remote.Tag("v1"));
        Assert.Equal(A, remote.Tag("light"));
        Assert.Null(remote.Branch("v1"));
        Assert.Null(remote.Tag("trunk"));
    }

    [Theory]
    [InlineData("2222", B)]
    [InlineData("1111111", A)]
    [InlineData("4444", null)]
    public void ExpandShortSha_Prefix_ReturnsTheOneAdvertisedMatch(string prefix, string? expected) =>
        Assert.Equal(expected, GitLsRemoteOutput.Parse(Output).ExpandShortSha(prefix));

    [Fact]
    public void Parse_NoSymref_LeavesDefaultBranchUnknown() =>
        Assert.Null(GitLsRemoteOutput.Parse($"{A}\trefs/heads/main\n").DefaultBranch);
}
