namespace ImageBuilder.Operator.Options;

/// <summary>Whether a newer request for an application's branch cancels the older unfinished builds of it (issue 12, point 3).</summary>
public sealed class SupersedeOptions
{
    public const string SectionName = "Supersede";

    /// <summary>
    /// On: an older queued or running build of the same userID, applicationID and branch (or the same named commit,
    /// tag or release) ends as Superseded, its Job and token Secret deleted, nobody notified. Off: every request builds;
    /// the order of notifications is kept either way.
    /// </summary>
    public bool Enabled { get; set; } = true;
}
