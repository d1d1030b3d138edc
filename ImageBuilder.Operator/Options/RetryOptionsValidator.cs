namespace ImageBuilder.Operator.Options;

/// <summary>Reports every problem of the Retry section at once, each with its configuration path.</summary>
public sealed class RetryOptionsValidator : EveryProblemValidator<RetryOptions>
{
    protected override void Check(RetryOptions options, List<string> errors)
    {
        const string S = RetryOptions.SectionName;
        if (options.MaxRetries is < 0 or > 100)
        {
            errors.Add($"{S}:MaxRetries must be between 0 and 100.");
        }
        if (options.BaseDelay <= TimeSpan.Zero)
        {
            errors.Add($"{S}:BaseDelay must be positive.");
        }
        if (options.MaxDelay < options.BaseDelay)
        {
            errors.Add($"{S}:MaxDelay must be at least BaseDelay.");
        }
        if (options.ReleaseGracePeriod < TimeSpan.Zero)
        {
            errors.Add($"{S}:ReleaseGracePeriod must not be negative.");
        }
        for (var i = 0; i < options.DelayTiers.Count; i++)
        {
            // x-message-ttl is whole milliseconds and the tier's queue name carries whole seconds.
            var tier = options.DelayTiers[i];
            if (tier < TimeSpan.FromSeconds(1) || tier.Ticks % TimeSpan.TicksPerSecond != 0 || tier > TimeSpan.FromDays(1))
            {
                errors.Add($"{S}:DelayTiers:{i} must be a whole number of seconds between 1s and 1 day (got {tier}).");
            }
        }
    }
}
