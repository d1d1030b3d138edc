using System.ComponentModel.DataAnnotations;

namespace ImageBuilder.Operator.Options;

/// <summary>How the source connectors reach GitHub (or a GitHub Enterprise style server) and plain git remotes.</summary>
public sealed class GitHubOptions
{
    public const string SectionName = "GitHub";

    /// <summary>
    /// The API root. For any host other than api.github.com Octokit appends <c>api/v3/</c>,
    /// as GitHub Enterprise serves it, so give the server's root here.
    /// </summary>
    [Required]
    public string ApiUrl { get; set; } = "https://api.github.com/";

    /// <summary>Per-request timeout for the GitHub API; past it the attempt is a service fault.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:10:00")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Product name sent in the User-Agent header, which GitHub requires.</summary>
    [Required]
    public string ProductHeader { get; set; } = "image-builder";

    /// <summary>Timeout for one <c>git ls-remote</c> of the git connector.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:10:00")]
    public TimeSpan GitTimeout { get; set; } = TimeSpan.FromSeconds(30);
}
