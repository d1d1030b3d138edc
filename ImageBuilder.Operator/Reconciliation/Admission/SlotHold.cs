namespace ImageBuilder.Operator.Reconciliation.Admission;

/// <summary>Which limit keeps a build waiting.</summary>
public enum SlotHold
{
    /// <summary>Not held: admitted.</summary>
    None,

    /// <summary>Every slot of <c>Build:MaxConcurrentBuilds</c> is taken (or will be by builds ahead of it).</summary>
    Global,

    /// <summary>Its user has <c>Build:MaxConcurrentBuildsPerUser</c> builds running (or ahead of it).</summary>
    PerUser,
}
