using System.Text.RegularExpressions;

namespace ImageBuilder.Operator.Sources;

/// <summary>
/// Hides credentials a user may have put into a repository reference (<c>https://user:token@host/…</c>, <c>token@host:…</c>)
/// before it goes into a log line or a failure message.
/// </summary>
public static partial class SourceRedaction
{
    public static string Redact(string? repo) =>
        string.IsNullOrEmpty(repo) ? "" : LeadingUser().Replace(UrlUserInfo().Replace(repo, "//***@"), "***@");

    [GeneratedRegex(@"//[^/@\s]*@")]
    private static partial Regex UrlUserInfo();

    [GeneratedRegex(@"^[^/@\s:]+(:[^/@\s]*)?@")]
    private static partial Regex LeadingUser();
}
