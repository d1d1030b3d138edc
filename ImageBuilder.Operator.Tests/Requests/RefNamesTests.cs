using ImageBuilder.Operator.Requests;

namespace ImageBuilder.Operator.Tests.Requests;

public sealed class RefNamesTests
{
    [Theory]
    [InlineData("main", true)]
    [InlineData("feature/x-1", true)]
    [InlineData("v1.2.3", true)]
    [InlineData("release_2024+hotfix", true)]
    [InlineData("", false)]
    [InlineData(null, false)]
    [InlineData("-delete", false)]
    [InlineData("a..b", false)]
    [InlineData("a//b", false)]
    [InlineData("a b", false)]
    [InlineData("a:b", false)]
    [InlineData("a~1", false)]
    [InlineData("a^{}", false)]
    [InlineData("x?y", false)]
    [InlineData("x#y", false)]
    [InlineData("x.lock", false)]
    [InlineData("x/", false)]
    [InlineData("x/.hidden", false)]
    [InlineData("x@{1}", false)]
    [InlineData("x\ny", false)]
    public void IsValidRefName_Name_AcceptsOnlySafeRefs(string? name, bool valid) => Assert.Equal(valid, RefNames.IsValidRefName(name));

    [Theory]
    [InlineData("abcd", true)]
    [InlineData("ABCDEF0123", true)]
    [InlineData("0123456789abcdef0123456789abcdef01234567", true)]
    [InlineData("abc", false)]
    [InlineData("0123456789abcdef0123456789abcdef012345678", false)]
    [InlineData("main", false)]
    [InlineData("", false)]
    public void IsCommitSha_Value_AcceptsFourToFortyHexDigits(string value, bool valid) => Assert.Equal(valid, RefNames.IsCommitSha(value));

    [Theory]
    [InlineData(null, true)]
    [InlineData("", true)]
    [InlineData(" ", true)]
    [InlineData("latest", true)]
    [InlineData("LATEST", true)]
    [InlineData("abcdef1", false)]
    public void MeansLatest_Commit_TrueForEmptyOrLatest(string? commit, bool latest) => Assert.Equal(latest, RefNames.MeansLatest(commit));

    [Fact]
    public void EscapePath_RefWithSlashAndPlus_KeepsSlashesEscapesTheRest() =>
        Assert.Equal("feature/a%2Bb", RefNames.EscapePath("feature/a+b"));
}
