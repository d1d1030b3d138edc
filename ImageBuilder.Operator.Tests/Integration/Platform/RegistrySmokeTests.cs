using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;

namespace ImageBuilder.Operator.Tests.Integration.Platform;

[Collection(PlatformCollection.Name)]
public sealed class RegistrySmokeTests(PlatformFixture fixture)
{
    private const string ManifestType = "application/vnd.oci.image.manifest.v1+json";

    [Fact]
    public async Task Manifest_PushedWithCredentials_PullsBackByDigest()
    {
        using var http = Client(withCredentials: true);
        var repository = "smoke/" + PlatformFixture.UniqueName("img");
        var config = Encoding.UTF8.GetBytes("""{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}""");
        var configDigest = await PushBlobAsync(http, repository, config);
        var manifest = Encoding.UTF8.GetBytes($$"""{"schemaVersion":2,"mediaType":"{{ManifestType}}","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"{{configDigest}}","size":{{config.Length}}},"layers":[]}""");

        using var put = new ByteArrayContent(manifest);
        put.Headers.ContentType = new MediaTypeHeaderValue(ManifestType);
        using var pushed = await http.PutAsync($"/v2/{repository}/manifests/v1", put);
        pushed.EnsureSuccessStatusCode();

        using var get = new HttpRequestMessage(HttpMethod.Get, $"/v2/{repository}/manifests/v1");
        get.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(ManifestType));
        using var pulled = await http.SendAsync(get);
        var body = await pulled.Content.ReadAsByteArrayAsync();

        Assert.Equal(HttpStatusCode.OK, pulled.StatusCode);
        Assert.Equal(manifest, body);
        Assert.Equal(Digest(manifest), pulled.Headers.GetValues("Docker-Content-Digest").Single());
        Assert.Equal(Digest(manifest), pushed.Headers.GetValues("Docker-Content-Digest").Single());
    }

    [Fact]
    public async Task Registry_WithoutCredentials_Refuses401()
    {
        using var http = Client(withCredentials: false);

        using var response = await http.GetAsync("/v2/_catalog");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    private HttpClient Client(bool withCredentials)
    {
        var http = new HttpClient { BaseAddress = new Uri($"http://{fixture.Registry}") };
        if (withCredentials)
        {
            var basic = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{fixture.RegistryUser}:{fixture.RegistryPassword}"));
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", basic);
        }
        return http;
    }

    private static async Task<string> PushBlobAsync(HttpClient http, string repository, byte[] blob)
    {
        using var start = await http.PostAsync($"/v2/{repository}/blobs/uploads/", null);
        start.EnsureSuccessStatusCode();
        var location = start.Headers.Location!;
        var digest = Digest(blob);
        var separator = location.ToString().Contains('?', StringComparison.Ordinal) ? "&" : "?";
        using var content = new ByteArrayContent(blob);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        using var done = await http.PutAsync($"{location}{separator}digest={Uri.EscapeDataString(digest)}", content);
        done.EnsureSuccessStatusCode();
        return digest;
    }

    private static string Digest(byte[] data) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(data));
}
