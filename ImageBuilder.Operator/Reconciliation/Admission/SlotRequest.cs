namespace ImageBuilder.Operator.Reconciliation.Admission;

/// <summary>A build that waits for a build slot: who asked, and when (the order within one user).</summary>
/// <param name="Key">namespace/name, unique; the last tie-break, so the order is total and the same on every replica.</param>
/// <param name="User">The ImageBuild's <c>userID</c>.</param>
/// <param name="RequestedAt">The ImageBuild's creation time: the request's age.</param>
/// <param name="Arriving">
/// Not queued yet but on its way (Pending: new, or back from Retrying): it keeps its place in the order, so requests
/// that arrive together start oldest first whichever reconcile happens to reach admission first.
/// </param>
public sealed record SlotRequest(string Key, string User, DateTimeOffset RequestedAt, bool Arriving = false);
