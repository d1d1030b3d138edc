using ImageBuilder.Operator.Api;

namespace ImageBuilder.Operator.Reconciliation;

/// <summary>The newest build of an application whose success was (or is being) announced to the container manager.</summary>
public sealed record AnnouncedBuild(RequestOrder Order, DateTimeOffset ClaimedAt);

/// <summary>
/// The rule that keeps notifications in request order (issue 12, point 4), as a pure function: a build's success is
/// announced only if no build of the same application requested after it was announced first. An older build that
/// finishes after a newer one was announced would make the container manager deploy an older image over a newer one,
/// so it is not announced and ends as Superseded instead.
/// </summary>
public static class AnnouncementRule
{
    /// <summary>Null: announce (and record <paramref name="self"/> when it is newer); else the name of the newer announced build.</summary>
    public static string? NewerAnnounced(RequestOrder self, AnnouncedBuild? last) =>
        last is not null && last.Order > self ? last.Order.Name : null;

    /// <summary>Whether the ledger must be moved to <paramref name="self"/> before announcing (not when it already names it).</summary>
    public static bool MustRecord(RequestOrder self, AnnouncedBuild? last) => last is null || last.Order < self;
}
