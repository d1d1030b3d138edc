using ImageBuilder.Operator.Requests;

namespace ImageBuilder.Operator.Sources;

/// <summary>The refs a remote advertises, parsed from <c>git ls-remote --symref</c>.</summary>
public sealed class GitLsRemoteOutput
{
    private readonly Dictionary<string, string> _refs;

    private GitLsRemoteOutput(Dictionary<string, string> refs, string? defaultBranch)
    {
        _refs = refs;
        DefaultBranch = defaultBranch;
    }

    /// <summary>The branch HEAD points at, when the remote says.</summary>
    public string? DefaultBranch { get; }

    public IReadOnlyDictionary<string, string> Refs => _refs;

    public static GitLsRemoteOutput Parse(string output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var refs = new Dictionary<string, string>(StringComparer.Ordinal);
        string? defaultBranch = null;
        foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var parts = line.Split('\t', 2);
            if (parts.Length != 2)
            {
                continue;
            }
            if (parts[0].StartsWith("ref: refs/heads/", StringComparison.Ordinal) && parts[1] == "HEAD")
            {
                defaultBranch = parts[0]["ref: refs/heads/".Length..];
            }
            else if (RefNames.IsFullCommitSha(parts[0]))
            {
                refs[parts[1]] = parts[0].ToLowerInvariant();
            }
        }
        return new GitLsRemoteOutput(refs, defaultBranch);
    }

    public string? Branch(string name) => _refs.GetValueOrDefault("refs/heads/" + name);

    /// <summary>The commit a tag points at: the peeled <c>^{}</c> entry of an annotated tag, else the tag itself.</summary>
    public string? Tag(string name) => _refs.GetValueOrDefault($"refs/tags/{name}^{{}}") ?? _refs.GetValueOrDefault("refs/tags/" + name);

    /// <summary>The one advertised commit starting with <paramref name="prefix"/>, if exactly one does.</summary>
    public string? ExpandShortSha(string prefix)
    {
        var matches = _refs.Values.Where(sha => sha.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)).Distinct(StringComparer.Ordinal).ToList();
        return matches.Count == 1 ? matches[0] : null;
    }
}
