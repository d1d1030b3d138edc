namespace ImageBuilder.Operator.Api;

/// <summary>Values of <see cref="SourceSpec.Type"/> (docs/contracts.md <c>type</c>).</summary>
public static class RefTypes
{
    /// <summary>A branch; the repository's default branch when none is named.</summary>
    public const string Repo = "repo";
    public const string Tag = "tag";
    /// <summary>A GitHub release, built at its tag.</summary>
    public const string Release = "release";
    public const string Commit = "commit";
}
