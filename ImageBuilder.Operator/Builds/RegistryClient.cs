using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using ImageBuilder.Operator.Options;
using Microsoft.Extensions.Options;

namespace ImageBuilder.Operator.Builds;

/// <summary>
/// Distribution API v2 client for the cache check: HEAD /v2/&lt;name&gt;/manifests/&lt;tag&gt;.
/// Authenticates as the registry asks in its WWW-Authenticate challenge: Basic (distribution's
/// htpasswd) or the Bearer token flow (Docker Hub, Harbor, GHCR).
/// </summary>
public sealed partial class RegistryClient(HttpClient http, IOptions<BuildOptions> options, ILogger<RegistryClient> logger) : IRegistryClient
{
    private static readonly string[] ManifestTypes =
    [
        "application/vnd.oci.image.index.v1+json",
        "application/vnd.oci.image.manifest.v1+json",
        "application/vnd.docker.distribution.manifest.list.v2+json",
        "application/vnd.docker.distribution.manifest.v2+json",
    ];

    public async Task<RegistryLookup> GetDigestAsync(string repository, string tag, CancellationToken cancellationToken)
    {
        var image = new ImageName(repository, tag);
        var url = new Uri($"{Scheme(image.Registry)}://{image.Registry}/v2/{image.Path}/manifests/{Uri.EscapeDataString(tag)}");
        try
        {
            using var first = await SendAsync(HttpMethod.Head, url, null, cancellationToken);
            if (first.StatusCode != HttpStatusCode.Unauthorized)
            {
                return await ReadAsync(first, url, image, null, cancellationToken);
            }
            var auth = await AuthorizeAsync(first.Headers.WwwAuthenticate.FirstOrDefault(), image, cancellationToken);
            if (auth.Error is not null)
            {
                return RegistryLookup.Failure(auth.Error);
            }
            using var second = await SendAsync(HttpMethod.Head, url, auth.Header, cancellationToken);
            return await ReadAsync(second, url, image, auth.Header, cancellationToken);
        }
        catch (HttpRequestException e)
        {
            Log.RegistryUnreachable(logger, image.Registry, e.Message);
            return RegistryLookup.Failure($"The registry {image.Registry} is unreachable: {e.Message}");
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return RegistryLookup.Failure($"The registry {image.Registry} did not answer in time.");
        }
    }

    private async Task<RegistryLookup> ReadAsync(HttpResponseMessage response, Uri url, ImageName image, AuthenticationHeaderValue? auth, CancellationToken cancellationToken)
    {
        switch (response.StatusCode)
        {
            case HttpStatusCode.OK:
                return await DigestAsync(response, url, auth, cancellationToken);
            case HttpStatusCode.NotFound:
                return RegistryLookup.NotFound;
            case HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden:
                return RegistryLookup.Failure(
                    $"The registry {image.Registry} refused the credentials of user '{options.Value.RegistryUsername}' for {image.Path} (HTTP {(int)response.StatusCode}).");
            default:
                return RegistryLookup.Failure($"The registry {image.Registry} answered HTTP {(int)response.StatusCode} for {image.Reference}.");
        }
    }

    /// <summary>Docker-Content-Digest, or the sha256 of the manifest when a registry omits the header on HEAD.</summary>
    private async Task<RegistryLookup> DigestAsync(HttpResponseMessage response, Uri url, AuthenticationHeaderValue? auth, CancellationToken cancellationToken)
    {
        if (response.Headers.TryGetValues("Docker-Content-Digest", out var values) && values.FirstOrDefault() is { Length: > 0 } digest)
        {
            return RegistryLookup.Exists(digest);
        }
        using var get = await SendAsync(HttpMethod.Get, url, auth, cancellationToken);
        if (get.StatusCode != HttpStatusCode.OK)
        {
            return RegistryLookup.Failure($"The registry answered HTTP {(int)get.StatusCode} when reading the manifest.");
        }
        var body = await get.Content.ReadAsByteArrayAsync(cancellationToken);
        return RegistryLookup.Exists("sha256:" + Convert.ToHexStringLower(SHA256.HashData(body)));
    }

    private async Task<(AuthenticationHeaderValue? Header, string? Error)> AuthorizeAsync(AuthenticationHeaderValue? challenge, ImageName image, CancellationToken cancellationToken)
    {
        var basic = BasicCredentials();
        if (basic is null)
        {
            return (null, $"The registry {image.Registry} requires credentials; set {BuildOptions.SectionName}:RegistryUsername and RegistryPassword.");
        }
        if (challenge is null || challenge.Scheme.Equals("Basic", StringComparison.OrdinalIgnoreCase))
        {
            return (basic, null);
        }
        if (!challenge.Scheme.Equals("Bearer", StringComparison.OrdinalIgnoreCase))
        {
            return (null, $"The registry {image.Registry} asks for an unsupported authentication scheme '{challenge.Scheme}'.");
        }
        return await TokenAsync(RegistryChallenge.Parse(challenge.Parameter), basic, image, cancellationToken);
    }

    /// <summary>The Docker token flow: trade Basic credentials at the realm for a bearer token scoped to pull.</summary>
    private async Task<(AuthenticationHeaderValue? Header, string? Error)> TokenAsync(IReadOnlyDictionary<string, string> challenge, AuthenticationHeaderValue basic, ImageName image, CancellationToken cancellationToken)
    {
        if (!challenge.TryGetValue("realm", out var realm) || !Uri.TryCreate(realm, UriKind.Absolute, out var realmUri))
        {
            return (null, $"The registry {image.Registry} sent a bearer challenge without a realm.");
        }
        var query = new StringBuilder("?scope=").Append(Uri.EscapeDataString(challenge.GetValueOrDefault("scope") ?? $"repository:{image.Path}:pull"));
        if (challenge.TryGetValue("service", out var service))
        {
            query.Append("&service=").Append(Uri.EscapeDataString(service));
        }
        using var response = await SendAsync(HttpMethod.Get, new Uri(realmUri, realmUri.AbsolutePath + query), basic, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            return (null, $"The registry's token service refused the credentials of user '{options.Value.RegistryUsername}' (HTTP {(int)response.StatusCode}).");
        }
        using var json = JsonDocument.Parse(await response.Content.ReadAsStreamAsync(cancellationToken));
        var token = json.RootElement.TryGetProperty("token", out var t) ? t.GetString()
            : json.RootElement.TryGetProperty("access_token", out var a) ? a.GetString() : null;
        return token is null ? (null, "The registry's token service answered without a token.") : (new AuthenticationHeaderValue("Bearer", token), null);
    }

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, Uri url, AuthenticationHeaderValue? auth, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, url);
        foreach (var type in ManifestTypes)
        {
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(type));
        }
        request.Headers.Authorization = auth;
        return await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
    }

    private AuthenticationHeaderValue? BasicCredentials()
    {
        var o = options.Value;
        return string.IsNullOrEmpty(o.RegistryUsername)
            ? null
            : new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{o.RegistryUsername}:{o.RegistryPassword}")));
    }

    /// <summary>Loopback registries speak plain HTTP, as Docker assumes for 127.0.0.0/8; others HTTPS unless configured.</summary>
    private string Scheme(string registry)
    {
        if (options.Value.RegistryScheme is { Length: > 0 } scheme)
        {
            return scheme;
        }
        var host = registry.StartsWith('[') ? registry[..(registry.IndexOf(']') + 1)] : registry.Split(':')[0];
        return host == "localhost" || (IPAddress.TryParse(host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip)) ? "http" : "https";
    }
}
