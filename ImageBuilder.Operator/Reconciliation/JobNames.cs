using System.Security.Cryptography;
using System.Text;
using ImageBuilder.Operator.Api;

namespace ImageBuilder.Operator.Reconciliation;

/// <summary>One Job per attempt, named so a crash between create and status write finds it again.</summary>
public static class JobNames
{
    // Job names end up in the pods' job-name label, whose values are at most 63 characters.
    private const int MaxLength = 63;

    public static string For(ImageBuild build, int attempt)
    {
        var name = build.Metadata.Name;
        var suffix = $"-{attempt}";
        if (name.Length + suffix.Length <= MaxLength)
        {
            return name + suffix;
        }
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(name)))[..8];
        return $"{name[..(MaxLength - suffix.Length - 9)].TrimEnd('-', '.')}-{hash}{suffix}";
    }
}
