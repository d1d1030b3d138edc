using ImageBuilder.Operator.Api;

namespace ImageBuilder.Operator.Sources;

/// <summary>Which URLs the git connector accepts: http(s), git and file, never with credentials in them.</summary>
public static class GitUrls
{
    private static readonly string[] AllowedSchemes = [Uri.UriSchemeHttps, Uri.UriSchemeHttp, "git", Uri.UriSchemeFile];

    /// <summary>The parsed URL, or a user fault saying what is wrong with it.</summary>
    public static (Uri? Url, BuildFailure? Failure) Parse(string? value)
    {
        if (string.IsNullOrWhiteSpace(value) || value.StartsWith('-') || value.Any(char.IsControl)
            || !Uri.TryCreate(value, UriKind.Absolute, out var url)
            // .NET reads a bare path as a file URI; a source must say what it is.
            || !value.StartsWith(url.Scheme + "://", StringComparison.OrdinalIgnoreCase))
        {
            return (null, Invalid($"'{SourceRedaction.Redact(value)}' is not a git URL; use an http(s)://, git:// or file:// URL."));
        }
        if (!AllowedSchemes.Contains(url.Scheme, StringComparer.OrdinalIgnoreCase))
        {
            return (null, Invalid($"The git URL scheme '{url.Scheme}' is not supported; use http(s)://, git:// or file://."));
        }
        if (!string.IsNullOrEmpty(url.UserInfo))
        {
            // Credentials in a URL end up in resource specs and logs; the token travels separately.
            return (null, Invalid("The git URL must not contain credentials; pass the token separately."));
        }
        if (!string.IsNullOrEmpty(url.Fragment) || (url.IsFile && !url.IsLoopback && !string.IsNullOrEmpty(url.Host)))
        {
            return (null, Invalid($"'{SourceRedaction.Redact(value)}' is not a git URL this connector accepts."));
        }
        return (url, null);
    }

    private static BuildFailure Invalid(string message) =>
        new() { Fault = Faults.User, Reason = SourceFailureReasons.InvalidSource, Message = message };
}
