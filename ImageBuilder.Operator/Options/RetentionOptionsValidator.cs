namespace ImageBuilder.Operator.Options;

/// <summary>Reports every problem of the Retention section at once, each with its configuration path.</summary>
public sealed class RetentionOptionsValidator : EveryProblemValidator<RetentionOptions>
{
    private static readonly TimeSpan MaxTtl = TimeSpan.FromDays(3650);
    private const int MaxLimit = 10000;

    protected override void Check(RetentionOptions options, List<string> errors)
    {
        const string S = RetentionOptions.SectionName;
        foreach (var (key, ttl) in new[] { ("TtlAfterSucceeded", options.TtlAfterSucceeded), ("TtlAfterFailed", options.TtlAfterFailed) })
        {
            if (ttl < TimeSpan.FromSeconds(1) || ttl > MaxTtl)
            {
                errors.Add($"{S}:{key} must be between 00:00:01 and {MaxTtl} (got {ttl}).");
            }
        }
        foreach (var (key, limit) in new[] { ("SucceededLimit", options.SucceededLimit), ("FailedLimit", options.FailedLimit) })
        {
            if (limit is < 1 or > MaxLimit)
            {
                errors.Add($"{S}:{key} must be between 1 and {MaxLimit} (got {limit}).");
            }
        }
        if (options.RememberDeleted < TimeSpan.FromMinutes(1) || options.RememberDeleted > TimeSpan.FromDays(30))
        {
            errors.Add($"{S}:RememberDeleted must be between 00:01:00 and 30.00:00:00 (got {options.RememberDeleted}).");
        }
    }
}
