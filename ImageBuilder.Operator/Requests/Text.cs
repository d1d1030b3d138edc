using System.Text;

namespace ImageBuilder.Operator.Requests;

/// <summary>Makes sender-controlled text safe to echo in a reply or a log line.</summary>
internal static class Text
{
    private const int MaxEcho = 80;

    /// <summary>At most <see cref="MaxEcho"/> characters, control and non-ASCII characters escaped.</summary>
    public static string Quote(string value) => Quote(value, MaxEcho);

    /// <summary>At most <paramref name="max"/> characters, control and non-ASCII characters escaped.</summary>
    public static string Quote(string value, int max)
    {
        var builder = new StringBuilder(Math.Min(value.Length, max) + 8);
        foreach (var c in value)
        {
            if (builder.Length >= max)
            {
                builder.Append('…');
                break;
            }
            if (c is >= ' ' and <= '~')
            {
                builder.Append(c);
            }
            else
            {
                builder.Append(@"\u").Append(((int)c).ToString("x4", System.Globalization.CultureInfo.InvariantCulture));
            }
        }
        return builder.ToString();
    }

    /// <summary>True when every character is printable ASCII (no spaces, no controls, no look-alikes).</summary>
    public static bool IsPlainAscii(string value) => value.All(c => c is > ' ' and <= '~');
}
