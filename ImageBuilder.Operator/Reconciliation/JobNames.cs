using System.Globalization;
using ImageBuilder.Operator.Api;

namespace ImageBuilder.Operator.Reconciliation;

/// <summary>One Job per attempt, named so a crash between create and status write finds it again.</summary>
public static class JobNames
{
    // Job names end up in the pods' job-name label, whose values are at most 63 characters.
    public static string For(ImageBuild build, int attempt) =>
        Annotations.ShortName(build.Metadata.Name, string.Create(CultureInfo.InvariantCulture, $"-{attempt}"));
}
