using System.Text;
using System.Text.RegularExpressions;

namespace ImageBuilder.Fuzz;

/// <summary>
/// A CRD <c>pattern</c> as the apiserver applies it. It uses Go's RE2, whose <c>$</c> matches only at
/// the end of the text and whose <c>\s</c>, <c>\d</c> and <c>\w</c> are ASCII; .NET's <c>$</c> also
/// matches before a final newline and its classes are Unicode. Read literally, "main\n" would pass
/// <c>^[A-Za-z0-9._/-]*$</c> here and be refused by the apiserver, so the pattern is translated.
/// </summary>
public static class GoPattern
{
    public static Regex ToRegex(string pattern) =>
        new(Translate(pattern), RegexOptions.CultureInvariant, TimeSpan.FromSeconds(5));

    public static string Translate(string pattern)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        var result = new StringBuilder(pattern.Length + 16);
        var inClass = false;
        for (var i = 0; i < pattern.Length; i++)
        {
            var c = pattern[i];
            if (c == '\\' && i + 1 < pattern.Length)
            {
                var next = pattern[++i];
                result.Append(next switch
                {
                    's' => inClass ? @"\t\n\f\r " : @"[\t\n\f\r ]",
                    'd' => inClass ? "0-9" : "[0-9]",
                    'w' => inClass ? "0-9A-Za-z_" : "[0-9A-Za-z_]",
                    'S' or 'D' or 'W' when inClass => throw new NotSupportedException($"Negated class escape \\{next} inside [] in pattern '{pattern}'."),
                    'S' => @"[^\t\n\f\r ]",
                    'D' => "[^0-9]",
                    'W' => "[^0-9A-Za-z_]",
                    _ => "\\" + next,
                });
                continue;
            }
            if (c == '[' && !inClass)
            {
                inClass = true;
                result.Append(c);
                // A ']' right after '[' or '[^' is a literal in RE2.
                if (i + 1 < pattern.Length && pattern[i + 1] == '^')
                {
                    result.Append('^');
                    i++;
                }
                if (i + 1 < pattern.Length && pattern[i + 1] == ']')
                {
                    result.Append(@"\]");
                    i++;
                }
                continue;
            }
            if (c == ']' && inClass)
            {
                inClass = false;
            }
            result.Append(c == '$' && !inClass ? @"\z" : c.ToString());
        }
        return result.ToString();
    }
}
