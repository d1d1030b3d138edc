namespace ImageBuilder.Operator.Options;

/// <summary>
/// When finished ImageBuilds are deleted (Shipwright's build retention): after a time to live per outcome, and beyond
/// the newest N per application and outcome. <c>spec.retention</c> overrides each value per ImageBuild.
/// </summary>
public sealed class RetentionOptions
{
    public const string SectionName = "Retention";

    /// <summary>Off: finished ImageBuilds are kept until someone deletes them.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>How long a Succeeded ImageBuild is kept after it finished.</summary>
    public TimeSpan TtlAfterSucceeded { get; set; } = TimeSpan.FromDays(7);

    /// <summary>How long a Failed, Superseded or Cancelled ImageBuild is kept after it finished.</summary>
    public TimeSpan TtlAfterFailed { get; set; } = TimeSpan.FromDays(7);

    /// <summary>How many Succeeded ImageBuilds of each application are kept (the newest by request order).</summary>
    public int SucceededLimit { get; set; } = 10;

    /// <summary>How many Failed, Superseded or Cancelled ImageBuilds of each application are kept.</summary>
    public int FailedLimit { get; set; } = 10;

    /// <summary>
    /// How long the name of a deleted ImageBuild the bridge made is remembered (<c>Reconciliation/RetiredBuilds</c>), so
    /// that a redelivered or resent build request finds it and is not built again. Longer than any redelivery takes.
    /// </summary>
    public TimeSpan RememberDeleted { get; set; } = TimeSpan.FromHours(24);
}
