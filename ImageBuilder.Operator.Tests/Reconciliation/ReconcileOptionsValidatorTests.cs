using ImageBuilder.Operator.Options;

namespace ImageBuilder.Operator.Tests.Reconciliation;

public sealed class ReconcileOptionsValidatorTests
{
    [Fact]
    public void Validate_Defaults_Pass() =>
        Assert.True(new ReconcileOptionsValidator().Validate(null, new ReconcileOptions()).Succeeded);

    [Fact]
    public void Validate_OutOfRange_ReportsEveryKey()
    {
        var options = new ReconcileOptions { MaxConsecutiveErrors = 0, TokenSecretTimeout = TimeSpan.Zero, TokenSecretPollInterval = TimeSpan.FromHours(1) };

        var result = new ReconcileOptionsValidator().Validate(null, options);

        Assert.Equal(
            ["Reconcile:MaxConsecutiveErrors", "Reconcile:TokenSecretTimeout", "Reconcile:TokenSecretPollInterval"],
            result.Failures!.Select(f => f[..f.IndexOf(' ', StringComparison.Ordinal)]));
    }
}
