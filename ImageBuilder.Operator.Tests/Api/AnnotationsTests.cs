using System.Text.RegularExpressions;
using ImageBuilder.Operator.Api;

namespace ImageBuilder.Operator.Tests.Api;

public sealed class AnnotationsTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(63)]
    [InlineData(64)]
    [InlineData(253)]
    public void LabelValue_AnyObjectName_IsAValidStableLabelValue(int length)
    {
        var name = string.Concat(Enumerable.Repeat("ab-c.", 60))[..length].TrimEnd('-', '.');

        var value = Annotations.LabelValue(name);

        Assert.True(value.Length <= 63);
        Assert.Matches(new Regex("^[a-z0-9]([-a-z0-9_.]*[a-z0-9])?$"), value);
        Assert.Equal(value, Annotations.LabelValue(name));
        Assert.Equal(name.Length <= 63, value == name);
    }

    [Fact]
    public void LabelValue_LongNamesSharingAPrefix_Differ() =>
        Assert.NotEqual(Annotations.LabelValue(new string('a', 70) + "x"), Annotations.LabelValue(new string('a', 70) + "y"));
}
