using ImageBuilder.Operator.Api;

namespace ImageBuilder.Operator.Sources;

/// <summary>The outcome of resolving a source: a commit with where to fetch it, or a classified failure.</summary>
public sealed record SourceResolution
{
    /// <summary>The full 40-character commit SHA to build.</summary>
    public string? Commit { get; init; }

    /// <summary>A tarball of the tree at <see cref="Commit"/>, fetched with <c>Authorization: token &lt;token&gt;</c>; null when the connector has none.</summary>
    public string? ArchiveUrl { get; init; }

    /// <summary>An https (or git/file) clone URL, never with credentials in it.</summary>
    public string? CloneUrl { get; init; }

    public string? DefaultBranch { get; init; }

    /// <summary>Why resolution failed; <see cref="BuildFailure.Attempt"/> is left 0 for the caller to set.</summary>
    public BuildFailure? Failure { get; init; }

    public bool Succeeded => Failure is null;

    public static SourceResolution Resolved(string commit, string? archiveUrl, string? cloneUrl, string? defaultBranch) =>
        new() { Commit = commit, ArchiveUrl = archiveUrl, CloneUrl = cloneUrl, DefaultBranch = defaultBranch };

    public static SourceResolution Failed(BuildFailure failure) => new() { Failure = failure };

    public static SourceResolution UserFault(string reason, string message) =>
        Failed(new BuildFailure { Fault = Faults.User, Reason = reason, Message = message });

    public static SourceResolution ServiceFault(string reason, string message) =>
        Failed(new BuildFailure { Fault = Faults.Service, Reason = reason, Message = message });
}
