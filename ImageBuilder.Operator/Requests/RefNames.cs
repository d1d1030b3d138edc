using System.Text.RegularExpressions;

namespace ImageBuilder.Operator.Requests;

/// <summary>
/// Checks of user-given names before they reach a URL path or a git command line: a subset of
/// <c>git check-ref-format</c> that rejects anything able to change the meaning of a request.
/// </summary>
public static partial class RefNames
{
    /// <summary>True when <paramref name="name"/> is a plausible branch or tag name.</summary>
    public static bool IsValidRefName(string? name) =>
        !string.IsNullOrEmpty(name)
        && name.Length <= 255
        && SafeRef().IsMatch(name)
        && !name.Contains("..", StringComparison.Ordinal)
        && !name.Contains("//", StringComparison.Ordinal)
        && !name.Contains("@{", StringComparison.Ordinal)
        && !name.EndsWith('/') && !name.EndsWith('.') && !name.EndsWith(".lock", StringComparison.Ordinal)
        && name.Split('/').All(part => !part.StartsWith('.'));

    /// <summary>True for 4 to 40 hex digits, as git and GitHub accept for (abbreviated) commit SHAs.</summary>
    public static bool IsCommitSha(string? value) => !string.IsNullOrEmpty(value) && Sha().IsMatch(value);

    /// <summary>True for a full 40-hex SHA-1.</summary>
    public static bool IsFullCommitSha(string? value) => value is { Length: 40 } && Sha().IsMatch(value);

    /// <summary><c>""</c>, null or <c>latest</c>: the newest commit of the branch (docs/contracts.md).</summary>
    public static bool MeansLatest(string? commit) =>
        string.IsNullOrWhiteSpace(commit) || string.Equals(commit.Trim(), "latest", StringComparison.OrdinalIgnoreCase);

    /// <summary>Escapes each path segment of a ref so it stays one part of a URL path.</summary>
    public static string EscapePath(string name) => string.Join('/', name.Split('/').Select(Uri.EscapeDataString));

    [GeneratedRegex(@"^[A-Za-z0-9_][A-Za-z0-9._/+\-]*$")]
    private static partial Regex SafeRef();

    [GeneratedRegex("^[0-9a-fA-F]{4,40}$")]
    private static partial Regex Sha();
}
