namespace ImageBuilder.Operator.Options;

/// <summary>Reports every problem of the Reconcile section at once, each with its configuration path.</summary>
public sealed class ReconcileOptionsValidator : EveryProblemValidator<ReconcileOptions>
{
    private static readonly TimeSpan MaxTokenSecretTimeout = TimeSpan.FromDays(7);

    protected override void Check(ReconcileOptions options, List<string> errors)
    {
        const string S = ReconcileOptions.SectionName;
        if (options.MaxConsecutiveErrors is < 1 or > 100)
        {
            errors.Add($"{S}:MaxConsecutiveErrors must be between 1 and 100 (got {options.MaxConsecutiveErrors}).");
        }
        if (options.TokenSecretTimeout <= TimeSpan.Zero || options.TokenSecretTimeout > MaxTokenSecretTimeout)
        {
            errors.Add($"{S}:TokenSecretTimeout must be greater than zero and at most {MaxTokenSecretTimeout} (got {options.TokenSecretTimeout}).");
        }
        if (options.TokenSecretPollInterval < TimeSpan.FromMilliseconds(100) || options.TokenSecretPollInterval > TimeSpan.FromMinutes(10))
        {
            errors.Add($"{S}:TokenSecretPollInterval must be between 00:00:00.1 and 00:10:00 (got {options.TokenSecretPollInterval}).");
        }
    }
}
