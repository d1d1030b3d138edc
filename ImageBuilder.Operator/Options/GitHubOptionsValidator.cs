using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace ImageBuilder.Operator.Options;

/// <summary>Checks <see cref="GitHubOptions"/> and reports every problem at once, each with its configuration path.</summary>
public sealed partial class GitHubOptionsValidator : IValidateOptions<GitHubOptions>
{
    private static readonly TimeSpan MaxTimeout = TimeSpan.FromMinutes(10);

    public ValidateOptionsResult Validate(string? name, GitHubOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
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
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
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
