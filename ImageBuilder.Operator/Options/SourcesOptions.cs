namespace ImageBuilder.Operator.Options;

/// <summary>Policies of the source connectors that are not about reaching GitHub (see <see cref="GitHubOptions"/>).</summary>
public sealed class SourcesOptions
{
    public const string SectionName = "Sources";

    /// <summary>Which git URLs the git connector may resolve and hand to the build's fetch container.</summary>
    public GitSourceOptions Git { get; set; } = new();
}
