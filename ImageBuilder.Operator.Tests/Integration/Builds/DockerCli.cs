namespace ImageBuilder.Operator.Tests.Integration.Builds;

/// <summary>Debian's docker client with a private config directory, logged in to the test registry.</summary>
internal static class DockerCli
{
    private static readonly string ConfigDirectory = Directory.CreateTempSubdirectory("ib-docker-config-").FullName;

    public static Task<string> RunAsync(params string[] args) =>
        PlatformFixture.RunAsync("/usr/bin/env", [$"DOCKER_CONFIG={ConfigDirectory}", "/usr/bin/docker", .. args], TimeSpan.FromMinutes(3));

    public static Task LoginAsync(PlatformFixture fixture) =>
        PlatformFixture.RunAsync("/usr/bin/env", [$"DOCKER_CONFIG={ConfigDirectory}", "/usr/bin/docker", "login", "-u", fixture.RegistryUser, "--password-stdin", fixture.Registry],
            TimeSpan.FromMinutes(1), stdin: fixture.RegistryPassword);

    /// <summary>Tags the base image images.sh pushed as <paramref name="reference"/>, pushes it and returns the digest docker reported.</summary>
    public static async Task<string> PushBaseAsAsync(PlatformFixture fixture, string reference)
    {
        await LoginAsync(fixture);
        await RunAsync("tag", $"{fixture.Registry}/base/busybox:latest", reference);
        var output = await RunAsync("push", reference);
        var line = output.Split('\n').Last(l => l.Contains("digest: sha256:", StringComparison.Ordinal));
        return line.Split(' ').Single(w => w.StartsWith("sha256:", StringComparison.Ordinal));
    }
}
