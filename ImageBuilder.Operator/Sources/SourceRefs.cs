using ImageBuilder.Operator.Api;
using ImageBuilder.Operator.Requests;

namespace ImageBuilder.Operator.Sources;

/// <summary>Checks that a <see cref="SourceSpec"/> names a ref of a known type before any remote is asked.</summary>
public static class SourceRefs
{
    /// <summary>A user fault when the spec's ref type or ref is unusable; null when it may be resolved.</summary>
    public static BuildFailure? Validate(SourceSpec source)
    {
        ArgumentNullException.ThrowIfNull(source);
        return source.Type switch
        {
            RefTypes.Repo => source.Branch is null or "" || RefNames.IsValidRefName(source.Branch) ? null : InvalidRef($"branch '{source.Branch}'"),
            RefTypes.Tag => RefNames.IsValidRefName(source.Tag) ? null : InvalidRef($"tag '{source.Tag}'"),
            RefTypes.Release => RefNames.IsValidRefName(source.Release) ? null : InvalidRef($"release '{source.Release}'"),
            RefTypes.Commit => ValidateCommit(source),
            _ => Invalid($"Unknown source type '{source.Type}'; use repo, tag, release or commit."),
        };
    }

    public static BuildFailure InvalidRef(string description) =>
        Invalid($"The {description} is not a valid git ref name.");

    private static BuildFailure? ValidateCommit(SourceSpec source)
    {
        if (RefNames.MeansLatest(source.Commit))
        {
            return source.Branch is null or "" || RefNames.IsValidRefName(source.Branch) ? null : InvalidRef($"branch '{source.Branch}'");
        }
        return RefNames.IsCommitSha(source.Commit!.Trim()) ? null : Invalid($"The commit '{source.Commit}' is not a commit SHA (4 to 40 hex digits).");
    }

    private static BuildFailure Invalid(string message) =>
        new() { Fault = Faults.User, Reason = SourceFailureReasons.InvalidSource, Message = message };
}
