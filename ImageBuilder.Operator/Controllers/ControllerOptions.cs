using System.ComponentModel.DataAnnotations;

namespace ImageBuilder.Operator.Controllers;

/// <summary>The controller runtime: what to watch, how many workers, retry pacing and leader election.</summary>
public sealed class ControllerOptions
{
    public const string SectionName = "Controller";

    /// <summary>Watch the controller's objects (its primary type and every watched type) in this namespace only; empty watches all namespaces.</summary>
    public string Namespace { get; set; } = "";

    /// <summary>Reconciles that may run at once (never two for the same object).</summary>
    [Range(1, 64)]
    public int Workers { get; set; } = 4;

    /// <summary>How often every cached object is reconciled again even without a change; zero turns it off.</summary>
    public TimeSpan ResyncPeriod { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Server-side timeout of each watch; the informer then resumes from the last resourceVersion.</summary>
    public TimeSpan WatchTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>First retry delay of a failed reconcile; it doubles per consecutive failure of the same key.</summary>
    public TimeSpan BackoffBase { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Cap of the per-key retry delay.</summary>
    public TimeSpan BackoffMax { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Overall retries per second across all keys, so a shared outage does not become a retry storm.</summary>
    [Range(0.01, 10000)]
    public double RetriesPerSecond { get; set; } = 10;

    /// <summary>Retries allowed in a burst above <see cref="RetriesPerSecond"/>.</summary>
    [Range(1, 100000)]
    public int RetryBurst { get; set; } = 100;

    /// <summary>On shutdown, in-flight reconciles get this long to finish before they are cancelled.</summary>
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(20);

    public LeaderElectionOptions LeaderElection { get; set; } = new();
}
