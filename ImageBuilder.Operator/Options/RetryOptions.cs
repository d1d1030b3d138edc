using System.ComponentModel.DataAnnotations;

namespace ImageBuilder.Operator.Options;

/// <summary>When a failed attempt is tried again, and how long it waits.</summary>
public sealed class RetryOptions
{
    public const string SectionName = "Retry";

    /// <summary>The tiers used when <see cref="DelayTiers"/> is left empty.</summary>
    public static readonly IReadOnlyList<TimeSpan> DefaultDelayTiers =
        [TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(300), TimeSpan.FromSeconds(1800)];

    /// <summary>Attempts after the first one; a build may override it (spec.maxRetries).</summary>
    [Range(0, 100)]
    public int MaxRetries { get; set; } = 3;

    /// <summary>Delay before the first retry; doubles for each further one.</summary>
    public TimeSpan BaseDelay { get; set; } = TimeSpan.FromSeconds(10);

    public TimeSpan MaxDelay { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>By default a user fault (bad request, compile error) fails at once.</summary>
    public bool RetryUserFaults { get; set; }

    /// <summary>
    /// Delay queues of the fail queue, each holding messages for its own TTL. Empty means
    /// <see cref="DefaultDelayTiers"/>: the configuration binder appends to a pre-filled list,
    /// so the defaults cannot live in the initializer.
    /// </summary>
    public List<TimeSpan> DelayTiers { get; set; } = [];

    /// <summary>
    /// A retry whose release message never arrived (dead-lettering is at-most-once) is released
    /// anyway this long after its planned time, so no build waits forever.
    /// </summary>
    public TimeSpan ReleaseGracePeriod { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>The configured tiers, or the defaults, ascending and distinct.</summary>
    public IReadOnlyList<TimeSpan> EffectiveDelayTiers() =>
        (DelayTiers.Count == 0 ? DefaultDelayTiers : DelayTiers).Distinct().Order().ToList();

    /// <summary>
    /// Delay before retry number <paramref name="retry"/> (1 for the first retry):
    /// <see cref="BaseDelay"/> · 2^(retry−1), at most <see cref="MaxDelay"/>.
    /// </summary>
    public TimeSpan DelayFor(int retry) => ExponentialBackoff.Delay(BaseDelay, MaxDelay, retry - 1);
}
