namespace ImageBuilder.Operator;

/// <summary>
/// The one exponential backoff of the operator: <c>baseDelay · 2^exponent</c>, at most <c>maxDelay</c>. The work
/// queue's per-key backoff, the informers' list/watch retries, the build retries and the queue consumers' requeues
/// all take their delays from here. (Polly, used where one call is retried as a whole, has no public function for
/// "the delay before attempt n", which these callers need to schedule on a queue or a timer.)
/// </summary>
public static class ExponentialBackoff
{
    // 2^62 times even one tick exceeds any TimeSpan a caller can pass as the cap, so larger exponents change nothing
    // and the double stays exact.
    private const int MaxExponent = 62;

    /// <summary>The delay for <paramref name="exponent"/> (0 gives <paramref name="baseDelay"/>; negative counts as 0).</summary>
    public static TimeSpan Delay(TimeSpan baseDelay, TimeSpan maxDelay, int exponent)
    {
        var ticks = baseDelay.Ticks * Math.Pow(2, Math.Clamp(exponent, 0, MaxExponent));
        return ticks >= maxDelay.Ticks ? maxDelay : TimeSpan.FromTicks((long)ticks);
    }
}
