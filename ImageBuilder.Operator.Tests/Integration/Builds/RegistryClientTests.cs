using ImageBuilder.Operator.Builds;
using ImageBuilder.Operator.Options;
using Microsoft.Extensions.Logging.Abstractions;

namespace ImageBuilder.Operator.Tests.Integration.Builds;

/// <summary>The cache check's registry client against the real htpasswd registry.</summary>
[Collection(PlatformCollection.Name)]
public sealed class RegistryClientTests(PlatformFixture fixture)
{
    [Fact]
    public async Task GetDigestAsync_PushedTag_ReturnsDockerContentDigest()
    {
        var repository = $"{fixture.Registry}/it/{PlatformFixture.UniqueName("cache")}";
        var pushed = await DockerCli.PushBaseAsAsync(fixture, $"{repository}:v1");

        var lookup = await Client(fixture.RegistryPassword).GetDigestAsync(repository, "v1", CancellationToken.None);

        Assert.True(lookup.Found, lookup.Error);
        Assert.Equal(pushed, lookup.Digest);
    }

    [Fact]
    public async Task GetDigestAsync_MissingTagOrRepository_IsNotFound()
    {
        var repository = $"{fixture.Registry}/it/{PlatformFixture.UniqueName("cache")}";
        await DockerCli.PushBaseAsAsync(fixture, $"{repository}:v1");
        var client = Client(fixture.RegistryPassword);

        var missingTag = await client.GetDigestAsync(repository, "v2", CancellationToken.None);
        var missingRepository = await client.GetDigestAsync($"{fixture.Registry}/it/never-pushed", "v1", CancellationToken.None);

        Assert.Same(RegistryLookup.NotFound, missingTag);
        Assert.Same(RegistryLookup.NotFound, missingRepository);
    }

    [Fact]
    public async Task GetDigestAsync_WrongPassword_FailsClearlyWithoutThePassword()
    {
        const string wrong = "not-the-password-9f8e7d";

        var lookup = await Client(wrong).GetDigestAsync($"{fixture.Registry}/base/busybox", "latest", CancellationToken.None);

        Assert.True(lookup.Failed);
        Assert.Contains("refused the credentials of user", lookup.Error, StringComparison.Ordinal);
        Assert.Contains(fixture.RegistryUser, lookup.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(wrong, lookup.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetDigestAsync_NoCredentials_SaysWhichSettingsAreMissing()
    {
        var lookup = await Client(null).GetDigestAsync($"{fixture.Registry}/base/busybox", "latest", CancellationToken.None);

        Assert.True(lookup.Failed);
        Assert.Contains("Build:RegistryUsername", lookup.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetDigestAsync_NothingListening_IsAServiceFailure()
    {
        var lookup = await Client(fixture.RegistryPassword).GetDigestAsync("127.0.0.1:9/it/x", "v1", CancellationToken.None);

        Assert.True(lookup.Failed);
        Assert.Contains("unreachable", lookup.Error, StringComparison.Ordinal);
    }

    private RegistryClient Client(string? password)
    {
        var options = new BuildOptions
        {
            Registry = fixture.Registry,
            RegistryUsername = password is null ? null : fixture.RegistryUser,
            RegistryPassword = password,
        };
        return new RegistryClient(new HttpClient(), Microsoft.Extensions.Options.Options.Create(options), NullLogger<RegistryClient>.Instance);
    }
}
