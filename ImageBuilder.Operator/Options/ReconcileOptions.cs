namespace ImageBuilder.Operator.Options;

/// <summary>How the reconciler copes with errors it cannot classify and with a token Secret that is not there yet.</summary>
public sealed class ReconcileOptions
{
    public const string SectionName = "Reconcile";

    /// <summary>
    /// Reconciles of one attempt that may throw in a row before the attempt ends as a service fault
    /// (retried through the fail queue, then reported to Kusanali). Counted in status, so a restart keeps it.
    /// </summary>
    public int MaxConsecutiveErrors { get; set; } = 5;

    /// <summary>How long a build waits for its token Secret to appear before it fails as a user fault.</summary>
    public TimeSpan TokenSecretTimeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>How often a waiting build looks for its token Secret again (a GET per waiting build, no Secret watch).</summary>
    public TimeSpan TokenSecretPollInterval { get; set; } = TimeSpan.FromSeconds(5);
}
