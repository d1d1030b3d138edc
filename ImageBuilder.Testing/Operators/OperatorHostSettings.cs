namespace ImageBuilder.Testing.Operators;

/// <summary>
/// What one in-process operator is scoped to. Two hosts started with the same settings share the
/// namespace, the Lease and the queues, as two replicas of one release do.
/// </summary>
public sealed class OperatorHostSettings
{
    /// <summary>The only namespace the operator watches; also where its Lease lives and where the bridge writes.</summary>
    public required string Namespace { get; init; }

    public string LeaseName { get; init; } = PlatformFixture.UniqueName("ib-leader");

    /// <summary>Off: timer retries and the logging notifier. On: the broker, on queues of this test only.</summary>
    public bool RabbitMq { get; init; }

    /// <summary>Prefix of every queue this operator declares, so tests never read another test's messages.</summary>
    public string QueuePrefix { get; init; } = PlatformFixture.UniqueName("rq");

    /// <summary>The fail queue's delay tiers: short, so a retry waits about a second.</summary>
    public IReadOnlyList<TimeSpan> DelayTiers { get; init; } = [TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(3)];

    /// <summary>Configuration keys (<c>Build:PendingTimeout</c>, …) that override the harness defaults.</summary>
    public Dictionary<string, string?> Overrides { get; init; } = new(StringComparer.Ordinal);

    /// <summary>Runs after the operator's own registrations: a test replaces a dependency (e.g. one that fails) here.</summary>
    public Action<Microsoft.Extensions.DependencyInjection.IServiceCollection>? ConfigureServices { get; init; }

    public string BuildQueue => QueuePrefix + ".build";

    public string FailQueue => QueuePrefix + ".fail";

    public string ContainerManagerQueue => QueuePrefix + ".cm";

    public string KusanaliQueue => QueuePrefix + ".kusanali";
}
