using ImageBuilder.Operator.Options;

namespace ImageBuilder.Operator.Tests.Builds;

public sealed class BuildLimitsValidatorTests
{
    [Fact]
    public void Defaults_AreTenAndThree()
    {
        var options = new BuildOptions();

        Assert.Equal((10, 3), (options.MaxConcurrentBuilds, options.MaxConcurrentBuildsPerUser));
    }

    [Theory]
    [InlineData(0, 3, "Build:MaxConcurrentBuilds:")]
    [InlineData(-1, 3, "Build:MaxConcurrentBuilds:")]
    [InlineData(10, 0, "Build:MaxConcurrentBuildsPerUser:")]
    public void Validate_ZeroOrNegativeLimit_RefusedWithItsPathNeverUnlimited(int max, int perUser, string path)
    {
        var options = BuildSamples.DevOptions();
        options.MaxConcurrentBuilds = max;
        options.MaxConcurrentBuildsPerUser = perUser;

        var failure = Assert.Single(new BuildOptionsValidator().Validate(null, options).Failures!);

        Assert.StartsWith(path, failure, StringComparison.Ordinal);
        Assert.Contains("at least 1", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_PerUserAboveGlobal_Accepted()
    {
        var options = BuildSamples.DevOptions();
        options.MaxConcurrentBuilds = 2;
        options.MaxConcurrentBuildsPerUser = 3;

        Assert.True(new BuildOptionsValidator().Validate(null, options).Succeeded);
    }
}
