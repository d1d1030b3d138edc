using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using ImageBuilder.Operator.Builds;
using ImageBuilder.Operator.Options;
using Microsoft.Extensions.Options;

namespace ImageBuilder.Operator.Dashboard;

/// <summary>
/// Reads the registry the operator pushes to (Distribution API v2: catalog, tags, manifests) with the operator's own
/// credentials, and matches each tag with the ImageBuilds whose <c>status.image</c> it is. Answers are reused for
/// <see cref="DashboardOptions.RegistryCacheDuration"/>; the credentials never leave this class, and no error
/// message carries them.
/// </summary>
public sealed partial class RegistryBrowser(
    IHttpClientFactory httpFactory,
    IOptions<BuildOptions> buildOptions,
    IOptions<DashboardOptions> dashboardOptions,
    BuildFeed feed,
    TimeProvider time,
    ILogger<RegistryBrowser> logger)
{
    public const string HttpClientName = "dashboard-registry";
    private const int CatalogPage = 100;
    private const int ParallelManifests = 4;
    private static readonly string[] ManifestTypes =
    [
        "application/vnd.oci.image.index.v1+json",
        "application/vnd.oci.image.manifest.v1+json",
        "application/vnd.docker.distribution.manifest.list.v2+json",
        "application/vnd.docker.distribution.manifest.v2+json",
    ];

    private readonly ConcurrentDictionary<string, (DateTimeOffset At, object Value)> _answers = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, AuthenticationHeaderValue> _auth = new(StringComparer.Ordinal);

    private string Registry => buildOptions.Value.Registry;

    /// <summary>True for a name the Distribution spec allows (so a route value cannot walk elsewhere on the registry).</summary>
    public static bool IsRepositoryName(string name) => name.Length <= 255 && RepositoryName().IsMatch(name);

    public async Task<CatalogView> CatalogAsync(CancellationToken cancellationToken)
    {
        try
        {
            var (names, truncated) = await CachedAsync("catalog", ReadCatalogAsync, cancellationToken);
            var images = BuildImages();
            var repositories = names
                .Select(n => new RepositoryView(n, images.Count(i => i.Image.StartsWith($"{Registry}/{n}:", StringComparison.Ordinal))))
                .ToList();
            return new CatalogView(Registry, repositories, truncated, null, time.GetUtcNow());
        }
        catch (RegistryBrowseException e)
        {
            Log.RegistryReadFailed(logger, Registry, e.Message);
            return new CatalogView(Registry, [], false, e.Message, time.GetUtcNow());
        }
    }

    public async Task<TagsView> TagsAsync(string repository, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(repository);
        try
        {
            var (tags, truncated) = await CachedAsync("tags:" + repository, ct => ReadTagsAsync(repository, ct), cancellationToken);
            var images = BuildImages();
            var views = tags
                .Select(t => t with
                {
                    Builds = [.. images.Where(i => i.Image == $"{Registry}/{repository}:{t.Tag}").Select(i => i.Build).Order(StringComparer.Ordinal)],
                })
                .ToList();
            return new TagsView(Registry, repository, views, truncated, null, time.GetUtcNow());
        }
        catch (RegistryBrowseException e)
        {
            Log.RegistryReadFailed(logger, Registry, e.Message);
            return new TagsView(Registry, repository, [], false, e.Message, time.GetUtcNow());
        }
    }

    private List<(string Image, string Build)> BuildImages() =>
        [.. feed.Cache.List().Where(b => !string.IsNullOrEmpty(b.Status?.Image)).Select(b => (b.Status!.Image!, $"{b.Metadata.NamespaceProperty}/{b.Metadata.Name}"))];

    private async Task<T> CachedAsync<T>(string key, Func<CancellationToken, Task<T>> read, CancellationToken cancellationToken)
        where T : notnull
    {
        var now = time.GetUtcNow();
        if (_answers.TryGetValue(key, out var hit) && now - hit.At < dashboardOptions.Value.RegistryCacheDuration)
        {
            return (T)hit.Value;
        }
        var value = await read(cancellationToken);
        _answers[key] = (now, value);
        return value;
    }

    private async Task<(List<string> Names, bool Truncated)> ReadCatalogAsync(CancellationToken cancellationToken)
    {
        var max = dashboardOptions.Value.MaxRepositories;
        var names = new List<string>();
        Uri? next = Url($"/v2/_catalog?n={CatalogPage}");
        while (next is not null && names.Count < max)
        {
            using var response = await GetAsync(next, "registry:catalog:*", [], cancellationToken);
            Ensure(response, "the catalog");
            using var json = await JsonAsync(response, cancellationToken);
            if (json.RootElement.TryGetProperty("repositories", out var repositories) && repositories.ValueKind == JsonValueKind.Array)
            {
                names.AddRange(repositories.EnumerateArray().Select(r => r.GetString()).OfType<string>());
            }
            next = NextPage(response);
        }
        var truncated = names.Count > max || next is not null;
        return ([.. names.Take(max).Order(StringComparer.Ordinal)], truncated);
    }

    private async Task<(List<TagView> Tags, bool Truncated)> ReadTagsAsync(string repository, CancellationToken cancellationToken)
    {
        var scope = $"repository:{repository}:pull";
        using var response = await GetAsync(Url($"/v2/{repository}/tags/list"), scope, [], cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            throw new RegistryBrowseException($"The registry has no repository {repository}.");
        }
        Ensure(response, $"the tags of {repository}");
        using var json = await JsonAsync(response, cancellationToken);
        var names = json.RootElement.TryGetProperty("tags", out var tags) && tags.ValueKind == JsonValueKind.Array
            ? tags.EnumerateArray().Select(t => t.GetString()).OfType<string>().Order(StringComparer.Ordinal).ToList()
            : [];
        var max = dashboardOptions.Value.MaxTagsPerRepository;
        using var parallel = new SemaphoreSlim(ParallelManifests);
        var views = await Task.WhenAll(names.Take(max).Select(async tag =>
        {
            await parallel.WaitAsync(cancellationToken);
            try
            {
                return await ReadTagAsync(repository, tag, scope, cancellationToken);
            }
            finally
            {
                parallel.Release();
            }
        }));
        return ([.. views], names.Count > max);
    }

    private async Task<TagView> ReadTagAsync(string repository, string tag, string scope, CancellationToken cancellationToken)
    {
        try
        {
            var (digest, mediaType, body) = await ManifestAsync(repository, Uri.EscapeDataString(tag), scope, cancellationToken);
            var size = Size(body);
            if (size is null && Platform(body) is { } child)
            {
                // An index (multi-platform, or an image with attestations): the size is the first real platform's.
                size = Size((await ManifestAsync(repository, child, scope, cancellationToken)).Body);
            }
            return new TagView(tag, digest, size, mediaType, [], null);
        }
        catch (RegistryBrowseException e)
        {
            return new TagView(tag, null, null, null, [], e.Message);
        }
    }

    private async Task<(string Digest, string? MediaType, byte[] Body)> ManifestAsync(string repository, string reference, string scope, CancellationToken cancellationToken)
    {
        using var response = await GetAsync(Url($"/v2/{repository}/manifests/{reference}"), scope, ManifestTypes, cancellationToken);
        Ensure(response, $"the manifest {repository}:{reference}");
        var body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        var digest = response.Headers.TryGetValues("Docker-Content-Digest", out var values) && values.FirstOrDefault() is { Length: > 0 } d
            ? d
            : "sha256:" + Convert.ToHexStringLower(SHA256.HashData(body));
        return (digest, response.Content.Headers.ContentType?.MediaType, body);
    }

    /// <summary>An image manifest's config plus layers, or null for an index.</summary>
    private static long? Size(byte[] manifest)
    {
        using var json = JsonDocument.Parse(manifest);
        var root = json.RootElement;
        if (!root.TryGetProperty("layers", out var layers) || layers.ValueKind != JsonValueKind.Array)
        {
            return null;
        }
        var size = root.TryGetProperty("config", out var config) && config.TryGetProperty("size", out var c) ? c.GetInt64() : 0;
        foreach (var layer in layers.EnumerateArray())
        {
            size += layer.TryGetProperty("size", out var s) ? s.GetInt64() : 0;
        }
        return size;
    }

    /// <summary>The digest of an index's first entry that is not an attestation (platform unknown/unknown).</summary>
    private static string? Platform(byte[] index)
    {
        using var json = JsonDocument.Parse(index);
        if (!json.RootElement.TryGetProperty("manifests", out var manifests) || manifests.ValueKind != JsonValueKind.Array)
        {
            return null;
        }
        return manifests.EnumerateArray()
            .Where(m => !(m.TryGetProperty("platform", out var p) && p.TryGetProperty("os", out var os) && os.GetString() == "unknown"))
            .Select(m => m.TryGetProperty("digest", out var d) ? d.GetString() : null)
            .FirstOrDefault(d => d is not null);
    }

    private async Task<HttpResponseMessage> GetAsync(Uri url, string scope, string[] accept, CancellationToken cancellationToken)
    {
        try
        {
            _auth.TryGetValue(scope, out var known);
            var response = await SendAsync(url, known, accept, cancellationToken);
            if (response.StatusCode != HttpStatusCode.Unauthorized)
            {
                return response;
            }
            var challenge = response.Headers.WwwAuthenticate.FirstOrDefault();
            response.Dispose();
            var auth = await AuthorizeAsync(challenge, scope, cancellationToken);
            _auth[scope] = auth;
            return await SendAsync(url, auth, accept, cancellationToken);
        }
        catch (HttpRequestException e)
        {
            throw new RegistryBrowseException($"The registry {Registry} is unreachable: {e.Message}");
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new RegistryBrowseException($"The registry {Registry} did not answer in time.");
        }
    }

    private async Task<HttpResponseMessage> SendAsync(Uri url, AuthenticationHeaderValue? auth, string[] accept, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        foreach (var type in accept)
        {
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(type));
        }
        request.Headers.Authorization = auth;
        return await httpFactory.CreateClient(HttpClientName).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
    }

    /// <summary>Basic (distribution's htpasswd), or the Docker token flow with the same credentials, as RegistryClient does.</summary>
    private async Task<AuthenticationHeaderValue> AuthorizeAsync(AuthenticationHeaderValue? challenge, string scope, CancellationToken cancellationToken)
    {
        var o = buildOptions.Value;
        if (string.IsNullOrEmpty(o.RegistryUsername))
        {
            throw new RegistryBrowseException($"The registry {Registry} requires credentials; the operator has none ({BuildOptions.SectionName}:RegistryUsername).");
        }
        var basic = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{o.RegistryUsername}:{o.RegistryPassword}")));
        if (challenge is null || challenge.Scheme.Equals("Basic", StringComparison.OrdinalIgnoreCase))
        {
            return basic;
        }
        var parameters = RegistryChallenge.Parse(challenge.Parameter);
        if (!challenge.Scheme.Equals("Bearer", StringComparison.OrdinalIgnoreCase)
            || !parameters.TryGetValue("realm", out var realm) || !Uri.TryCreate(realm, UriKind.Absolute, out var realmUri))
        {
            throw new RegistryBrowseException($"The registry {Registry} asks for an authentication the dashboard does not speak ({challenge.Scheme}).");
        }
        var query = new StringBuilder("?scope=").Append(Uri.EscapeDataString(parameters.GetValueOrDefault("scope") ?? scope));
        if (parameters.TryGetValue("service", out var service))
        {
            query.Append("&service=").Append(Uri.EscapeDataString(service));
        }
        using var response = await SendAsync(new Uri(realmUri, realmUri.AbsolutePath + query), basic, [], cancellationToken);
        Ensure(response, "a token");
        using var json = await JsonAsync(response, cancellationToken);
        var token = json.RootElement.TryGetProperty("token", out var t) ? t.GetString()
            : json.RootElement.TryGetProperty("access_token", out var a) ? a.GetString() : null;
        return token is null
            ? throw new RegistryBrowseException("The registry's token service answered without a token.")
            : new AuthenticationHeaderValue("Bearer", token);
    }

    private void Ensure(HttpResponseMessage response, string what)
    {
        if (!response.IsSuccessStatusCode)
        {
            throw new RegistryBrowseException($"The registry {Registry} answered HTTP {(int)response.StatusCode} for {what}.");
        }
    }

    private static async Task<JsonDocument> JsonAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            return await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(cancellationToken), cancellationToken: cancellationToken);
        }
        catch (JsonException)
        {
            throw new RegistryBrowseException("The registry answered something that is not JSON.");
        }
    }

    /// <summary>The catalog's next page from its <c>Link: &lt;/v2/_catalog?last=…&amp;n=…&gt;; rel="next"</c> header.</summary>
    private Uri? NextPage(HttpResponseMessage response)
    {
        if (!response.Headers.TryGetValues("Link", out var links))
        {
            return null;
        }
        var link = links.FirstOrDefault(l => l.Contains("rel=\"next\"", StringComparison.Ordinal)) ?? "";
        var start = link.IndexOf('<', StringComparison.Ordinal);
        var end = link.IndexOf('>', StringComparison.Ordinal);
        if (start < 0 || end <= start)
        {
            return null;
        }
        var target = link[(start + 1)..end];
        // Only pages of this registry are followed, whatever the header says.
        return target.StartsWith("/v2/", StringComparison.Ordinal) ? Url(target) : null;
    }

    private Uri Url(string pathAndQuery) => new($"{Scheme()}://{Registry}{pathAndQuery}");

    /// <summary>As RegistryClient and Docker decide: loopback registries speak plain HTTP, others HTTPS unless configured.</summary>
    private string Scheme()
    {
        if (buildOptions.Value.RegistryScheme is { Length: > 0 } scheme)
        {
            return scheme;
        }
        var host = Registry.StartsWith('[') ? Registry[..(Registry.IndexOf(']', StringComparison.Ordinal) + 1)] : Registry.Split(':')[0];
        return host == "localhost" || (IPAddress.TryParse(host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip)) ? "http" : "https";
    }

    [GeneratedRegex("^[a-z0-9]+((\\.|_|__|-+)[a-z0-9]+)*(/[a-z0-9]+((\\.|_|__|-+)[a-z0-9]+)*)*$")]
    private static partial Regex RepositoryName();
}
