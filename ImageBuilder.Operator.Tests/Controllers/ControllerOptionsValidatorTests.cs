using ImageBuilder.Operator.Controllers;

namespace ImageBuilder.Operator.Tests.Controllers;

public sealed class ControllerOptionsValidatorTests
{
    private readonly ControllerOptionsValidator _validator = new();

    [Fact]
    public void Validate_Defaults_Succeed()
    {
        var result = _validator.Validate(null, new ControllerOptions());

        Assert.True(result.Succeeded, result.FailureMessage);
    }

    [Fact]
    public void Validate_SeveralProblems_ReportsAllWithPaths()
    {
        var options = new ControllerOptions
        {
            Namespace = "Bad_Namespace",
            Workers = 0,
            BackoffBase = TimeSpan.FromSeconds(10),
            BackoffMax = TimeSpan.FromSeconds(1),
            LeaderElection = new LeaderElectionOptions
            {
                LeaseName = "",
                LeaseDuration = TimeSpan.FromSeconds(5),
                RenewDeadline = TimeSpan.FromSeconds(10),
                RetryPeriod = TimeSpan.FromSeconds(9),
            },
        };

        var result = _validator.Validate(null, options);

        Assert.True(result.Failed);
        var failures = result.Failures!.ToArray();
        ValidationAssert.ReportsEach(failures, "Controller:Namespace", "Controller:Workers", "Controller:BackoffMax", "Controller:LeaderElection:LeaseName");
        Assert.Contains(failures, f => f.Contains("LeaseDuration", StringComparison.Ordinal) && f.Contains("RenewDeadline", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("RenewDeadline", StringComparison.Ordinal) && f.Contains("RetryPeriod", StringComparison.Ordinal));
        Assert.Equal(6, failures.Length);
    }

    [Fact]
    public void Validate_LeaderElectionDisabled_IgnoresItsSettings()
    {
        var options = new ControllerOptions
        {
            LeaderElection = new LeaderElectionOptions { Enabled = false, LeaseName = "", LeaseDuration = TimeSpan.Zero },
        };

        Assert.True(_validator.Validate(null, options).Succeeded);
    }

    [Fact]
    public void Validate_FractionalLeaseDuration_Fails()
    {
        var options = new ControllerOptions
        {
            LeaderElection = new LeaderElectionOptions { LeaseDuration = TimeSpan.FromMilliseconds(15500) },
        };

        var result = _validator.Validate(null, options);

        Assert.Contains(result.Failures!, f => f.Contains("whole number of seconds", StringComparison.Ordinal));
    }
}
