using ImageBuilder.Operator.Api;

namespace ImageBuilder.Operator.Requests;

/// <summary>
/// A validated BuildRequest (docs/contracts.md), either wire form normalised to one shape.
/// A class, not a record: a record's generated ToString would print the token.
/// </summary>
public sealed class BuildRequest
{
    public string? ApplicationId { get; init; }

    public required string UserId { get; init; }

    /// <summary>The user's GitHub token. Secret: only ever written into the token Secret.</summary>
    public required string Token { get; init; }

    public required string Connector { get; init; }

    /// <summary><c>owner/name</c> for github; a URL for git.</summary>
    public required string Repo { get; init; }

    /// <summary>One of <see cref="RefTypes"/>.</summary>
    public required string Type { get; init; }

    public string? Branch { get; init; }

    public string? Tag { get; init; }

    public string? Release { get; init; }

    /// <summary>A concrete commit; null means the newest commit of the branch.</summary>
    public string? Commit { get; init; }

    public BuildPlanSpec? BuildPlan { get; init; }

    public override string ToString() => $"{Connector}:{Repo} {Type} (user {UserId}, application {ApplicationId})";
}
