using System.Text.RegularExpressions;

namespace ImageBuilder.Operator.Options;

/// <summary>Checks <see cref="GitHubOptions"/> and reports every problem at once, each with its configuration path.</summary>
public sealed partial class GitHubOptionsValidator : EveryProblemValidator<GitHubOptions>
{
    private static readonly TimeSpan MaxTimeout = TimeSpan.FromMinutes(10);

    protected override void Check(GitHubOptions options, List<string> errors)
    {
        if (!Uri.TryCreate(options.ApiUrl, UriKind.Absolute, out var api) || (api.Scheme != Uri.UriSchemeHttps && api.Scheme != Uri.UriSchemeHttp))
        {
            errors.Add($"{GitHubOptions.SectionName}:{nameof(GitHubOptions.ApiUrl)} must be an absolute http(s) URL, got '{options.ApiUrl}'.");
        }
        else if (!string.IsNullOrEmpty(api.UserInfo))
        {
            errors.Add($"{GitHubOptions.SectionName}:{nameof(GitHubOptions.ApiUrl)} must not carry credentials.");
        }
        CheckTimeout(errors, nameof(GitHubOptions.Timeout), options.Timeout);
        CheckTimeout(errors, nameof(GitHubOptions.GitTimeout), options.GitTimeout);
        if (string.IsNullOrWhiteSpace(options.ProductHeader) || !ProductToken().IsMatch(options.ProductHeader))
        {
            errors.Add($"{GitHubOptions.SectionName}:{nameof(GitHubOptions.ProductHeader)} must be a product token (letters, digits, '.', '_', '-'), got '{options.ProductHeader}'.");
        }
    }

    private static void CheckTimeout(List<string> errors, string key, TimeSpan value)
    {
        if (value <= TimeSpan.Zero || value > MaxTimeout)
        {
            errors.Add($"{GitHubOptions.SectionName}:{key} must be greater than zero and at most {MaxTimeout}, got {value}.");
        }
    }

    [GeneratedRegex("^[A-Za-z0-9._-]+$")]
    private static partial Regex ProductToken();
}
