using System.Text.RegularExpressions;
using ImageBuilder.Operator.Api;
using ImageBuilder.Operator.Sources;

namespace ImageBuilder.Operator.Messaging;

/// <summary>
/// The checks on each field of a BuildRequest. Each returns null when the value is fine, else one
/// sentence a user understands. Values reach git, GitHub's API, image names and labels, so only
/// plain ASCII is let through: look-alike Unicode, spaces, controls and URL tricks are refused.
/// </summary>
internal static partial class RequestRules
{
    public const int MaxTokenLength = 1024;

    public static string? Id(string field, string value) =>
        IdPattern().IsMatch(value) ? null
        : $"Field '{field}' must be 1 to 128 letters, digits, '.', '_' or '-' (got '{Text.Quote(value)}').";

    public static string? Token(string value) =>
        value.Length <= MaxTokenLength && Text.IsPlainAscii(value) ? null
        : "Field 'token' must be a single line of printable ASCII characters without spaces.";

    public static string? GitHubRepo(string value)
    {
        if (!GitHubRepoPattern().IsMatch(value))
        {
            return $"Field 'repo' must be 'owner/name' for the github connector (got '{Text.Quote(value)}').";
        }
        var name = value[(value.IndexOf('/', StringComparison.Ordinal) + 1)..];
        return name.StartsWith("..", StringComparison.Ordinal) || name == "." ? $"Field 'repo' names no repository (got '{Text.Quote(value)}')." : null;
    }

    public static string? GitUrl(string value)
    {
        if (value.Length > 512 || !Text.IsPlainAscii(value)
            || !Uri.TryCreate(value, UriKind.Absolute, out var uri)
            || uri.Scheme is not ("https" or "http" or "git"))
        {
            return $"Field 'repo' must be an http(s):// or git:// URL for the git connector (got '{Text.Quote(value)}').";
        }
        if (uri.UserInfo.Length > 0 || value.Contains('@', StringComparison.Ordinal))
        {
            return "Field 'repo' must not carry credentials; send the token in 'token'.";
        }
        if (uri.Host.Length == 0 || uri.Query.Length > 0 || uri.Fragment.Length > 0 || value.Contains('\\', StringComparison.Ordinal))
        {
            return $"Field 'repo' must be a plain repository URL without query or fragment (got '{Text.Quote(value)}').";
        }
        // The raw text, not uri.AbsolutePath: Uri resolves "a/../b" away before anyone could see it.
        return value.Split('/').Any(s => s is ".." or "." || s.Contains("%2e", StringComparison.OrdinalIgnoreCase))
            ? $"Field 'repo' must not contain '.', '..' or encoded dot segments (got '{Text.Quote(value)}')."
            : null;
    }

    /// <summary>git's ref-name rules (<see cref="RefNames"/>, shared with the source connectors), within the CRD's character set.</summary>
    public static string? RefName(string field, string value) =>
        RefCharacters().IsMatch(value) && RefNames.IsValidRefName(value) ? null
        : $"Field '{field}' is not a valid git ref name (got '{Text.Quote(value)}').";

    public static string? Commit(string value) =>
        CommitPattern().IsMatch(value) ? null
        : $"Field 'commit' must be a commit SHA of 4 to 40 hex digits, \"latest\" or empty (got '{Text.Quote(value)}').";

    public static bool IsLatestCommit(string? commit) =>
        commit is null || commit.Length == 0 || commit.Equals("latest", StringComparison.OrdinalIgnoreCase);

    public static string? Connector(string value) =>
        value is Connectors.GitHub or Connectors.Git ? null
        : $"Connector '{Text.Quote(value)}' is not supported; use 'github' or 'git'.";

    public static string? Type(string value) =>
        value is RefTypes.Repo or RefTypes.Tag or RefTypes.Release or RefTypes.Commit ? null
        : $"Type '{Text.Quote(value)}' is not supported; use 'repo', 'tag', 'release' or 'commit'.";

    [GeneratedRegex(@"^[A-Za-z0-9._/-]+\z")]
    private static partial Regex RefCharacters();

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}\z")]
    private static partial Regex IdPattern();

    [GeneratedRegex(@"^[A-Za-z0-9-]{1,39}/[A-Za-z0-9._-]{1,100}\z")]
    private static partial Regex GitHubRepoPattern();

    [GeneratedRegex(@"^[0-9a-fA-F]{4,40}\z")]
    private static partial Regex CommitPattern();
}
