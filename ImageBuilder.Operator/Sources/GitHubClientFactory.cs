using ImageBuilder.Operator.Options;
using Microsoft.Extensions.Options;
using Octokit;
using Octokit.Internal;

namespace ImageBuilder.Operator.Sources;

/// <summary>
/// Makes one Octokit client per request, each with that user's token, over one shared HTTP stack:
/// tokens differ per build, sockets need not.
/// </summary>
public sealed class GitHubClientFactory : IDisposable
{
    private readonly HttpClientAdapter _http;
    private readonly ProductHeaderValue _product;

    public GitHubClientFactory(IOptions<GitHubOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var value = options.Value;
        ApiBaseAddress = ToApiBase(new Uri(value.ApiUrl, UriKind.Absolute));
        _product = new ProductHeaderValue(value.ProductHeader);
        _http = new HttpClientAdapter(CreateHandler);
        _http.SetRequestTimeout(value.Timeout);
    }

    /// <summary>Where API paths start, e.g. <c>https://api.github.com/</c> or <c>https://ghe.example/api/v3/</c>.</summary>
    public Uri ApiBaseAddress { get; }

    /// <summary>A client for <paramref name="token"/>; anonymous when null or empty (public repositories only).</summary>
    public IGitHubClient Create(string? token)
    {
        var credentials = string.IsNullOrEmpty(token) ? Credentials.Anonymous : new Credentials(token);
        var connection = new Connection(_product, ApiBaseAddress, new InMemoryCredentialStore(credentials), _http, new SimpleJsonSerializer());
        return new GitHubClient(connection);
    }

    public void Dispose() => _http.Dispose();

    /// <summary>
    /// Octokit's own rule (GitHubClient.FixUpBaseUri), applied here because a Connection built by hand skips it:
    /// github.com is served at api.github.com, any other host GitHub Enterprise style under <c>/api/v3/</c>.
    /// </summary>
    public static Uri ToApiBase(Uri apiUrl)
    {
        ArgumentNullException.ThrowIfNull(apiUrl);
        if (apiUrl.Host.Equals("github.com", StringComparison.OrdinalIgnoreCase) || apiUrl.Host.Equals("api.github.com", StringComparison.OrdinalIgnoreCase))
        {
            return GitHubClient.GitHubApiUrl;
        }
        return new Uri(apiUrl, new Uri("/api/v3/", UriKind.Relative));
    }

    // Octokit follows redirects itself (dropping the token when the host changes), so the handler must not.
    private static SocketsHttpHandler CreateHandler() => new()
    {
        AllowAutoRedirect = false,
        AutomaticDecompression = System.Net.DecompressionMethods.All,
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        UseProxy = false,
    };
}
