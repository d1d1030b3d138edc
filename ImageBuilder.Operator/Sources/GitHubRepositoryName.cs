using System.Diagnostics.CodeAnalysis;
using System.Text.RegularExpressions;

namespace ImageBuilder.Operator.Sources;

/// <summary>A GitHub <c>owner/name</c>, checked so it cannot escape its place in an API path.</summary>
public sealed partial record GitHubRepositoryName(string Owner, string Name)
{
    public static bool TryParse(string? value, [NotNullWhen(true)] out GitHubRepositoryName? result)
    {
        result = null;
        var parts = (value ?? "").Split('/');
        if (parts.Length != 2 || !OwnerPattern().IsMatch(parts[0]) || !RepoPattern().IsMatch(parts[1]) || parts[1] is "." or "..")
        {
            return false;
        }
        var name = parts[1].EndsWith(".git", StringComparison.OrdinalIgnoreCase) && parts[1].Length > 4 ? parts[1][..^4] : parts[1];
        result = new GitHubRepositoryName(parts[0], name);
        return true;
    }

    public override string ToString() => $"{Owner}/{Name}";

    [GeneratedRegex("^[A-Za-z0-9](?:[A-Za-z0-9_-]{0,38})$")]
    private static partial Regex OwnerPattern();

    [GeneratedRegex(@"^[A-Za-z0-9._-]{1,100}$")]
    private static partial Regex RepoPattern();
}
