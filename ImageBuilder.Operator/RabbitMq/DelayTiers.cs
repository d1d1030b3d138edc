using System.Globalization;

namespace ImageBuilder.Operator.RabbitMq;

/// <summary>
/// The fail queue's delay queues. Each tier holds messages for its own TTL (a per-queue TTL, so
/// every message of a tier expires in arrival order and a long delay never blocks a short one),
/// then dead-letters them to the fail queue.
/// </summary>
public sealed class DelayTiers
{
    private readonly IReadOnlyList<TimeSpan> _tiers;
    private readonly string _failQueue;

    public DelayTiers(string failQueue, IReadOnlyList<TimeSpan> tiers)
    {
        if (tiers.Count == 0)
        {
            throw new ArgumentException("At least one delay tier is needed.", nameof(tiers));
        }
        _failQueue = failQueue;
        _tiers = tiers.Order().ToList();
    }

    public IReadOnlyList<TimeSpan> Tiers => _tiers;

    /// <summary>The smallest tier at least <paramref name="delay"/> long; the longest one beyond that.</summary>
    public TimeSpan TierFor(TimeSpan delay) => _tiers.FirstOrDefault(t => t >= delay, _tiers[^1]);

    public string QueueName(TimeSpan tier) =>
        string.Create(CultureInfo.InvariantCulture, $"{_failQueue}.delay.{(long)tier.TotalSeconds}s");

    /// <summary>
    /// Classic queues: they only ever hold a build's name, uid and attempt, and dead-lettering is
    /// at-most-once for classic and (by default) quorum queues alike in 3.10; a lost release is
    /// covered by the retry scheduler's grace period (<c>Retries/RabbitMqRetryScheduler</c>), so replication buys nothing here.
    /// </summary>
    public IEnumerable<QueueDeclaration> Declarations() => _tiers.Select(tier => new QueueDeclaration(
        QueueName(tier),
        new Dictionary<string, object?>
        {
            ["x-message-ttl"] = (long)tier.TotalMilliseconds,
            ["x-dead-letter-exchange"] = "",
            ["x-dead-letter-routing-key"] = _failQueue,
        }));
}
