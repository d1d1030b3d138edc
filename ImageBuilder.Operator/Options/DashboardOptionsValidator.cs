namespace ImageBuilder.Operator.Options;

/// <summary>Checks <see cref="DashboardOptions"/> and reports every problem at once, each with its configuration path.</summary>
public sealed class DashboardOptionsValidator : EveryProblemValidator<DashboardOptions>
{
    private static readonly TimeSpan MaxDuration = TimeSpan.FromMinutes(10);

    protected override void Check(DashboardOptions options, List<string> errors)
    {
        const string S = DashboardOptions.SectionName;
        if (options.MaxRepositories is < 1 or > 100_000)
        {
            errors.Add($"{S}:{nameof(options.MaxRepositories)} must be between 1 and 100000, got {options.MaxRepositories}.");
        }
        if (options.MaxTagsPerRepository is < 1 or > 10_000)
        {
            errors.Add($"{S}:{nameof(options.MaxTagsPerRepository)} must be between 1 and 10000, got {options.MaxTagsPerRepository}.");
        }
        if (options.RegistryCacheDuration < TimeSpan.Zero || options.RegistryCacheDuration > MaxDuration)
        {
            errors.Add($"{S}:{nameof(options.RegistryCacheDuration)} must be between 00:00:00 and {MaxDuration}, got {options.RegistryCacheDuration}.");
        }
        if (options.KeepAliveInterval < TimeSpan.FromSeconds(1) || options.KeepAliveInterval > MaxDuration)
        {
            errors.Add($"{S}:{nameof(options.KeepAliveInterval)} must be between 00:00:01 and {MaxDuration}, got {options.KeepAliveInterval}.");
        }
    }
}
