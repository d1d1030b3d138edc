using ImageBuilder.Operator.Options;

namespace ImageBuilder.Operator.Tests.Dashboard;

public sealed class DashboardOptionsValidatorTests
{
    [Fact]
    public void Validate_Defaults_AreValidAndOff()
    {
        var options = new DashboardOptions();

        var result = new DashboardOptionsValidator().Validate(null, options);

        Assert.True(result.Succeeded);
        Assert.False(options.Enabled);
    }

    [Fact]
    public void Validate_EveryBadValue_ReportedAtOnceWithItsPath()
    {
        var options = new DashboardOptions
        {
            Enabled = true,
            MaxRepositories = 0,
            MaxTagsPerRepository = 20_000,
            RegistryCacheDuration = TimeSpan.FromSeconds(-1),
            KeepAliveInterval = TimeSpan.Zero,
        };

        var result = new DashboardOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Equal(
            ["Dashboard:MaxRepositories", "Dashboard:MaxTagsPerRepository", "Dashboard:RegistryCacheDuration", "Dashboard:KeepAliveInterval"],
            result.Failures!.Select(f => f.Split(' ')[0]));
    }
}
