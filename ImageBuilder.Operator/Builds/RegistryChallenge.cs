using System.Text.RegularExpressions;

namespace ImageBuilder.Operator.Builds;

/// <summary>Parses the parameters of a <c>WWW-Authenticate: Bearer realm="…",service="…",scope="…"</c> challenge.</summary>
internal static partial class RegistryChallenge
{
    public static IReadOnlyDictionary<string, string> Parse(string? parameters)
    {
        var result = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (Match m in Pair().Matches(parameters ?? ""))
        {
            result[m.Groups["key"].Value] = m.Groups["quoted"].Success ? m.Groups["quoted"].Value : m.Groups["plain"].Value;
        }
        return result;
    }

    [GeneratedRegex("""(?<key>[A-Za-z_]+)=(?:"(?<quoted>[^"]*)"|(?<plain>[^,\s]*))""")]
    private static partial Regex Pair();
}
