using System.Text;
using Microsoft.AspNetCore.Http;

namespace ImageBuilder.GitHubServer;

/// <summary>The token a request carries: <c>token X</c>, <c>Bearer X</c>, or Basic with the token as password (how git sends it).</summary>
internal static class RequestToken
{
    /// <summary>(whether an Authorization header was sent, the token in it).</summary>
    public static (bool Present, string? Token) From(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        if (string.IsNullOrWhiteSpace(header))
        {
            return (false, null);
        }
        var parts = header.Trim().Split(' ', 2, StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length != 2)
        {
            return (true, null);
        }
        var scheme = parts[0].ToLowerInvariant();
        return scheme switch
        {
            "token" or "bearer" => (true, parts[1].Trim()),
            "basic" => (true, BasicPassword(parts[1].Trim())),
            _ => (true, null),
        };
    }

    private static string? BasicPassword(string encoded)
    {
        try
        {
            var text = Encoding.UTF8.GetString(Convert.FromBase64String(encoded));
            var colon = text.IndexOf(':', StringComparison.Ordinal);
            return colon < 0 ? text : text[(colon + 1)..];
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
