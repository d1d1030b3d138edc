using System.Text.RegularExpressions;
using ImageBuilder.Operator.Api;

namespace ImageBuilder.Operator.Requests;

/// <summary>
/// The rules of a valid request's source fields, the one copy used by the queue bridge (on a
/// BuildRequest), the reconciler (on an ImageBuild's spec) and the source connectors. Each check
/// returns null when the value is fine, else one sentence a user understands that names the field.
/// Values reach git, GitHub's API, image names and labels, so only plain ASCII is let through:
/// look-alike Unicode, spaces, controls and URL tricks are refused. Empty means unset for every
/// optional field (Go senders marshal unset fields as <c>""</c>); callers skip those.
/// The CRD schema (deploy/crds) accepts at least everything accepted here.
/// </summary>
public static partial class RequestRules
{
    public const int MaxTokenLength = 1024;

    /// <summary>The commit value meaning "the newest commit of the branch", as is the empty string.</summary>
    public const string Latest = "latest";

    public static string? Id(string field, string value) =>
        IdPattern().IsMatch(value) ? null
        : $"Field '{field}' must be 1 to 128 letters, digits, '.', '_' or '-' (got '{Text.Quote(value)}').";

    public static string? Token(string value) =>
        value.Length <= MaxTokenLength && Text.IsPlainAscii(value) ? null
        : "Field 'token' must be a single line of printable ASCII characters without spaces.";

    public static string? Connector(string value) =>
        value is Connectors.GitHub or Connectors.Git ? null
        : $"Connector '{Text.Quote(value)}' is not supported; use 'github' or 'git'.";

    public static string? Type(string value) =>
        value is RefTypes.Repo or RefTypes.Tag or RefTypes.Release or RefTypes.Commit ? null
        : $"Type '{Text.Quote(value)}' is not supported; use 'repo', 'tag', 'release' or 'commit'.";

    /// <summary>The repo in the form its connector needs; nothing for an unknown connector (reported on its own).</summary>
    public static string? Repo(string connector, string value) => connector switch
    {
        Connectors.GitHub => GitHubRepo(value),
        Connectors.Git => GitUrl(value),
        _ => null,
    };

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
            || uri.Scheme is not ("https" or "http" or "git")
            || !value.StartsWith(uri.Scheme + "://", StringComparison.Ordinal))
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

    /// <summary>git's ref-name rules (<see cref="RefNames"/>) within the CRD's character set.</summary>
    public static string? RefName(string field, string value) =>
        RefCharacters().IsMatch(value) && RefNames.IsValidRefName(value) ? null
        : $"Field '{field}' is not a valid git ref name (got '{Text.Quote(value)}').";

    /// <summary>A concrete commit in lower case, or <c>latest</c>; empty is unset (checked by callers). The bridge lower-cases first.</summary>
    public static string? Commit(string value) =>
        IsLatest(value) || CommitPattern().IsMatch(value) ? null
        : $"Field 'commit' must be a commit SHA of 4 to 40 hex digits, \"latest\" or empty (got '{Text.Quote(value)}').";

    /// <summary>Empty or <c>latest</c>: the newest commit of the branch (docs/contracts.md).</summary>
    public static bool IsLatest(string? commit) => commit is null or "" or Latest;

    /// <summary>The ref a type needs, which only a combination of fields can tell (the CRD schema of 1.20 cannot).</summary>
    public static string? RefForType(string type, string connector, string? tag, string? release) => type switch
    {
        RefTypes.Tag when string.IsNullOrEmpty(tag) => "Field 'tag' is required when type is 'tag'.",
        RefTypes.Release when string.IsNullOrEmpty(release) => "Field 'release' is required when type is 'release'.",
        RefTypes.Release when connector == Connectors.Git => "Type 'release' needs the github connector; use type 'tag' for the git connector.",
        _ => null,
    };

    /// <summary>
    /// Every rule on an ImageBuild's spec, in one list (empty when valid). The reconciler's entry
    /// point; the bridge applies the same rules to each request field as it reads it.
    /// </summary>
    public static IReadOnlyList<string> Validate(ImageBuildSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var source = spec.Source;
        var errors = new List<string?>
        {
            string.IsNullOrEmpty(spec.ApplicationId) ? null : Id("applicationID", spec.ApplicationId),
            string.IsNullOrEmpty(spec.UserId) ? "Field 'userID' is required." : Id("userID", spec.UserId),
        };
        if (source is null)
        {
            errors.Add("Field 'source' is required.");
            return [.. errors.OfType<string>()];
        }
        errors.Add(Connector(source.Connector ?? ""));
        errors.Add(string.IsNullOrEmpty(source.Repo) ? "Field 'repo' is required." : Repo(source.Connector ?? "", source.Repo));
        errors.Add(Type(source.Type ?? ""));
        errors.Add(string.IsNullOrEmpty(source.Branch) ? null : RefName("branch", source.Branch));
        errors.Add(string.IsNullOrEmpty(source.Tag) ? null : RefName("tag", source.Tag));
        errors.Add(string.IsNullOrEmpty(source.Release) ? null : RefName("release", source.Release));
        errors.Add(string.IsNullOrEmpty(source.Commit) ? null : Commit(source.Commit));
        errors.Add(RefForType(source.Type ?? "", source.Connector ?? "", source.Tag, source.Release));
        var result = errors.OfType<string>().ToList();
        BuildPlanRules.Check(spec.BuildPlan, result);
        return result;
    }

    [GeneratedRegex(@"^[A-Za-z0-9._/-]+\z")]
    private static partial Regex RefCharacters();

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}\z")]
    private static partial Regex IdPattern();

    [GeneratedRegex(@"^[A-Za-z0-9-]{1,39}/[A-Za-z0-9._-]{1,100}\z")]
    private static partial Regex GitHubRepoPattern();

    [GeneratedRegex(@"^[0-9a-f]{4,40}\z")]
    private static partial Regex CommitPattern();
}
