using System.Text;
using System.Text.RegularExpressions;
using ImageBuilder.Operator.Api;
using ImageBuilder.Operator.Options;
using Microsoft.Extensions.Options;

namespace ImageBuilder.Operator.Builds;

/// <summary>
/// Names the image of a build: <c>Build:ImageNameTemplate</c> (default
/// <c>{registry}/{userID}/{applicationID}</c>) tagged with the commit, or the ImageBuild's
/// <c>spec.image</c>. Path components are lowercased and reduced to what registries accept.
/// </summary>
public sealed partial class ImageNamer(IOptions<BuildOptions> options)
{
    private const int MaxTag = 128;

    public ImageName For(ImageBuild build, string commit)
    {
        ArgumentNullException.ThrowIfNull(build);
        ArgumentException.ThrowIfNullOrEmpty(commit);
        var repository = string.IsNullOrWhiteSpace(build.Spec.Image)
            ? FromTemplate(build.Spec)
            : build.Spec.Image.Trim().ToLowerInvariant();
        return new ImageName(repository, Tag(commit));
    }

    private string FromTemplate(ImageBuildSpec spec)
    {
        var o = options.Value;
        var applicationId = string.IsNullOrWhiteSpace(spec.ApplicationId) ? FallbackApplication(spec.Source.Repo) : spec.ApplicationId;
        var path = o.ImageNameTemplate
            .Replace("{registry}", "\u0000", StringComparison.Ordinal)
            .Replace("{userID}", Component(spec.UserId, "unknown-user"), StringComparison.Ordinal)
            .Replace("{applicationID}", Component(applicationId, "app"), StringComparison.Ordinal)
            .ToLowerInvariant();
        // The registry host keeps its case rules (it is a host, not a path) and is never rewritten.
        var joined = path.Replace("\u0000", o.Registry, StringComparison.Ordinal);
        return string.Join('/', joined.Split('/', StringSplitOptions.RemoveEmptyEntries));
    }

    /// <summary>Without an application id, the source repository names the image: <c>owner-name</c>.</summary>
    private static string FallbackApplication(string repo)
    {
        var trimmed = repo.Trim().TrimEnd('/');
        if (trimmed.EndsWith(".git", StringComparison.OrdinalIgnoreCase))
        {
            trimmed = trimmed[..^4];
        }
        var segments = trimmed.Split(['/', ':'], StringSplitOptions.RemoveEmptyEntries);
        return string.Join('-', segments.TakeLast(2));
    }

    private static string Component(string? value, string fallback)
    {
        var lowered = InvalidRun().Replace((value ?? "").ToLowerInvariant(), "-");
        // Registries accept one '.' or '_', "__", or any run of '-' between alphanumerics; anything else becomes '-'.
        var separated = SeparatorRun().Replace(lowered, m => m.Value == "__" || m.Value.All(c => c == '-') ? m.Value : "-");
        var trimmed = separated.Trim('-', '.', '_');
        return trimmed.Length == 0 ? fallback : trimmed;
    }

    private static string Tag(string commit)
    {
        var tag = new StringBuilder();
        foreach (var c in commit.Trim().ToLowerInvariant())
        {
            tag.Append(char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-' ? c : '-');
        }
        var result = tag.ToString().TrimStart('.', '-');
        return result.Length > MaxTag ? result[..MaxTag] : result;
    }

    [GeneratedRegex("[^a-z0-9._-]+")]
    private static partial Regex InvalidRun();

    [GeneratedRegex("[._-]{2,}")]
    private static partial Regex SeparatorRun();
}
