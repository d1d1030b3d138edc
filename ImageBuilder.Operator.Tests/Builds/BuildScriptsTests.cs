using System.Text;
using System.Text.Json;
using ImageBuilder.Operator.Builds;
using ImageBuilder.Operator.Tests.Integration;

namespace ImageBuilder.Operator.Tests.Builds;

/// <summary>
/// Runs the scripts' reporting with the machine's /bin/sh (dash on Debian, the strictest of the
/// shells the images carry): whatever a log holds, the termination message is valid JSON under the
/// kubelet's 4096-byte limit.
/// </summary>
public sealed class BuildScriptsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ib-scripts-").FullName;

    public static TheoryData<string> Scripts() => new(nameof(BuildScripts.Fetch), nameof(BuildScripts.Plan), nameof(BuildScripts.BuildKit), nameof(BuildScripts.Docker));

    [Theory]
    [MemberData(nameof(Scripts))]
    public async Task Script_Any_IsValidPosixShell(string name)
    {
        var text = (string)typeof(BuildScripts).GetField(name)!.GetValue(null)!;
        var file = Path.Combine(_dir, name + ".sh");
        await File.WriteAllTextAsync(file, text);

        // Throws with the shell's message on a syntax error.
        await PlatformFixture.RunAsync("/bin/sh", ["-n", file], TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Fail_HostileLog_WritesValidJsonUnderTheLimit()
    {
        var log = new StringBuilder();
        for (var i = 0; i < 200; i++)
        {
            log.Append("step ").Append(i).Append(" \"quoted\" back\\slash\ttab \u001b[31mred\u001b[0m ünïcode\r\n");
        }
        log.Append(new string('"', 6000)).Append('\n').Append(new string('\\', 3001)).Append("\nmain.c:3: error: expected ';'\n");
        await File.WriteAllTextAsync(Path.Combine(_dir, "build.log"), log.ToString());

        var report = await RunAsync(BuildScripts.Common + """ib_fail build BuildFailed 'the "image" build failed' "$IB_LOGS/build.log" """);

        Assert.True(Encoding.UTF8.GetByteCount(report) < 4096, $"{Encoding.UTF8.GetByteCount(report)} bytes");
        var message = TerminationMessage.TryParse(report);
        Assert.NotNull(message);
        Assert.Equal(("build", "BuildFailed", "the \"image\" build failed"), (message.Stage, message.Reason, message.Error));
        Assert.EndsWith("main.c:3: error: expected ';'", message.LogTail, StringComparison.Ordinal);
        Assert.DoesNotContain('\u001b', message.LogTail!);
    }

    [Fact]
    public async Task Fail_ShortLog_KeepsTheLastFortyLines()
    {
        await File.WriteAllLinesAsync(Path.Combine(_dir, "fetch.log"), Enumerable.Range(1, 50).Select(i => $"line {i}").Append("wget: server returned error: HTTP/1.1 404 Not Found"));

        var report = await RunAsync(BuildScripts.Common + """ib_fail fetch DownloadFailed 'downloading failed' "$IB_LOGS/fetch.log" "$(ib_http_status "$IB_LOGS/fetch.log")" """);

        var message = TerminationMessage.TryParse(report)!;
        Assert.Equal(404, message.HttpStatus);
        var lines = message.LogTail!.Split('\n');
        Assert.Equal(40, lines.Length);
        Assert.Equal("line 12", lines[0]);
    }

    [Fact]
    public async Task Done_Digest_WritesSuccessReport()
    {
        await File.WriteAllTextAsync(Path.Combine(_dir, "build.log"), "#8 pushing layers done\n");

        var report = await RunAsync(BuildScripts.Common + $"""IB_IMAGE=r/x:1; ib_done {BuildSamples.Digest} "$IB_LOGS/build.log" """);

        var message = TerminationMessage.TryParse(report)!;
        Assert.Equal((BuildStages.Done, BuildSamples.Digest, "r/x:1"), (message.Stage, message.Digest, message.Image));
    }

    [Fact]
    public async Task Docker_NoDockerfile_ReportsNixpacksUnavailableAsPlanStage()
    {
        var context = Directory.CreateDirectory(Path.Combine(_dir, "src")).FullName;

        var report = await RunAsync(BuildScripts.Docker, ("IB_CONTEXT", context), ("IB_DOCKERFILE", Path.Combine(context, "Dockerfile")),
            ("IB_DOCKERFILE_DISPLAY", "Dockerfile"), ("IB_ROOT_DIRECTORY", ""), ("IB_IMAGE", "r/x:1"));

        var message = TerminationMessage.TryParse(report)!;
        Assert.Equal((BuildStages.Plan, BuildReasons.NixpacksUnavailable), (message.Stage, message.Reason));
        Assert.Contains("nixpacks is unavailable in the docker build strategy", message.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BuildKit_MissingRootDirectory_ReportsPlanStage()
    {
        var report = await RunAsync(BuildScripts.BuildKit, ("IB_CONTEXT", Path.Combine(_dir, "nope")), ("IB_DOCKERFILE", "/x/Dockerfile"),
            ("IB_DOCKERFILE_DISPLAY", "nope/Dockerfile"), ("IB_ROOT_DIRECTORY", "nope"), ("IB_IMAGE", "r/x:1"), ("IB_CACHE_REF", "r/x:buildcache"));

        var message = TerminationMessage.TryParse(report)!;
        Assert.Equal(("plan", "RootDirectoryNotFound"), (message.Stage, message.Reason));
        Assert.Contains("'nope'", message.Error, StringComparison.Ordinal);
    }

    public static TheoryData<string, string, string> BuildKitFailures() => new()
    {
        { "#9 [3/3] RUN make\nerror: failed to solve: process \"/bin/sh -c make\" did not complete successfully: exit code: 2", BuildStages.Build, BuildReasons.BuildFailed },
        { "#12 pushing layers\nerror: failed to solve: failed to push 127.0.0.1:5000/a/b:c: unexpected status: 503 Service Unavailable", BuildStages.Push, BuildReasons.PushFailed },
        { "error: failed to solve: failed to do request: Head \"https://r.example.test/v2/a/manifests/b\": dial tcp: connection refused", BuildStages.Push, BuildReasons.PushFailed },
    };

    // BuildKit cannot run on this machine (no rootless user namespaces in a pod here), so a stand-in
    // buildctl-daemonless.sh replays its output: what is tested is how the script reads it.
    [Theory]
    [MemberData(nameof(BuildKitFailures))]
    public async Task BuildKit_BuildctlFails_StageFromItsLastErrorLine(string output, string stage, string reason)
    {
        var context = Directory.CreateDirectory(Path.Combine(_dir, "src")).FullName;
        await File.WriteAllTextAsync(Path.Combine(context, "Dockerfile"), "FROM scratch\n");
        var path = await StubAsync("buildctl-daemonless.sh", $"printf '%s\\n' \"{output.Replace("\"", "\\\"", StringComparison.Ordinal)}\"\nexit 1");

        var report = await RunAsync(BuildScripts.BuildKit, ("PATH", path), ("IB_CONTEXT", context), ("IB_DOCKERFILE", Path.Combine(context, "Dockerfile")),
            ("IB_DOCKERFILE_DISPLAY", "Dockerfile"), ("IB_ROOT_DIRECTORY", ""), ("IB_IMAGE", "r/x:1"), ("IB_CACHE_REF", "r/x:buildcache"));

        var message = TerminationMessage.TryParse(report)!;
        Assert.Equal((stage, reason), (message.Stage, message.Reason));
    }

    [Fact]
    public async Task BuildKit_BuildctlSucceeds_ReportsTheDigestFromTheMetadataFile()
    {
        var context = Directory.CreateDirectory(Path.Combine(_dir, "src")).FullName;
        Directory.CreateDirectory(Path.Combine(context, ".nixpacks"));
        await File.WriteAllTextAsync(Path.Combine(context, ".nixpacks", "Dockerfile"), "FROM scratch\n");
        var metadata = Path.Combine(_dir, "metadata.json");
        var path = await StubAsync("buildctl-daemonless.sh", $$"""
            echo "args: $*"
            printf '{\n  "containerimage.config.digest": "sha256:{{new string('1', 64)}}",\n  "containerimage.digest": "{{BuildSamples.Digest}}"\n}\n' >"{{metadata}}"
            """);

        var report = await RunAsync(BuildScripts.BuildKit, ("PATH", path), ("IB_CONTEXT", context), ("IB_DOCKERFILE", Path.Combine(context, ".nixpacks", "Dockerfile")),
            ("IB_DOCKERFILE_DISPLAY", ".nixpacks/Dockerfile"), ("IB_ROOT_DIRECTORY", ""), ("IB_IMAGE", "r/x:1"), ("IB_CACHE_REF", "r/x:buildcache"));

        var message = TerminationMessage.TryParse(report)!;
        Assert.Equal((BuildStages.Done, BuildSamples.Digest), (message.Stage, message.Digest));
        Assert.Contains($"--local dockerfile={context}/.nixpacks --opt filename=Dockerfile", message.LogTail, StringComparison.Ordinal);
        Assert.Contains("--output type=image,name=r/x:1,push=true", message.LogTail, StringComparison.Ordinal);
        Assert.Contains("--export-cache type=registry,ref=r/x:buildcache,mode=max", message.LogTail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Fetch_CloneUrl_ChecksOutTheCommitWithoutGitMetadata()
    {
        var (url, first, _) = await GitRepositoryAsync();
        var source = Path.Combine(_dir, "src");

        var report = await RunAsync(BuildScripts.Fetch, ("IB_SOURCE", source), ("IB_CLONE_URL", url), ("IB_COMMIT", first), ("IB_ARCHIVE_URL", ""));

        Assert.Equal(BuildStages.Fetch, TerminationMessage.TryParse(report)!.Stage);
        Assert.Equal("v1\n", await File.ReadAllTextAsync(Path.Combine(source, "app.txt")));
        Assert.False(Directory.Exists(Path.Combine(source, ".git")));
    }

    [Fact]
    public async Task Fetch_UnknownCommit_ReportsNotFound()
    {
        var (url, _, _) = await GitRepositoryAsync();

        var report = await RunAsync(BuildScripts.Fetch, ("IB_SOURCE", Path.Combine(_dir, "src")), ("IB_CLONE_URL", url), ("IB_COMMIT", new string('a', 40)), ("IB_ARCHIVE_URL", ""));

        var message = TerminationMessage.TryParse(report)!;
        Assert.Equal((BuildStages.Fetch, "CloneFailed", 404), (message.Stage, message.Reason, message.HttpStatus));
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>A bare repository with two commits on main; returns its file URL and both SHAs.</summary>
    private async Task<(string Url, string First, string Second)> GitRepositoryAsync()
    {
        var work = Directory.CreateDirectory(Path.Combine(_dir, "work")).FullName;
        var bare = Path.Combine(_dir, "origin.git");
        async Task<string> Git(params string[] args) =>
            (await PlatformFixture.RunAsync("git", ["-c", "user.name=t", "-c", "user.email=t@example.test", "-C", work, .. args], TimeSpan.FromSeconds(30))).Trim();
        await Git("init", "-q", "-b", "main");
        await File.WriteAllTextAsync(Path.Combine(work, "app.txt"), "v1\n");
        await Git("add", "app.txt");
        await Git("commit", "-q", "-m", "one");
        var first = await Git("rev-parse", "HEAD");
        await File.WriteAllTextAsync(Path.Combine(work, "app.txt"), "v2\n");
        await Git("commit", "-q", "-am", "two");
        var second = await Git("rev-parse", "HEAD");
        await Git("clone", "-q", "--bare", work, bare);
        return ("file://" + bare, first, second);
    }

    /// <summary>Writes an executable stand-in for <paramref name="name"/> and returns a PATH that finds it first.</summary>
    private async Task<string> StubAsync(string name, string body)
    {
        var bin = Directory.CreateDirectory(Path.Combine(_dir, "bin")).FullName;
        var file = Path.Combine(bin, name);
        await File.WriteAllTextAsync(file, "#!/bin/sh\n" + body + "\n");
        await PlatformFixture.RunAsync("chmod", ["+x", file], TimeSpan.FromSeconds(10));
        return $"{bin}:/usr/local/bin:/usr/bin:/bin";
    }

    private async Task<string> RunAsync(string script, params (string Name, string Value)[] env)
    {
        var report = Path.Combine(_dir, "termination-log");
        var assignments = string.Concat(env.Append(("IB_LOGS", _dir)).Append(("IB_TERMINATION_LOG", report)).Select(e => $"export {e.Item1}='{e.Item2}'\n"));
        var file = Path.Combine(_dir, "script.sh");
        await File.WriteAllTextAsync(file, assignments + script);
        try
        {
            await PlatformFixture.RunAsync("/bin/sh", [file], TimeSpan.FromSeconds(30));
        }
        catch (InvalidOperationException e) when (e.Message.Contains("exited 1", StringComparison.Ordinal))
        {
            // Failure reports exit 1 on purpose; the report file is what the test reads.
        }
        using var json = JsonDocument.Parse(await File.ReadAllTextAsync(report));
        return json.RootElement.GetRawText();
    }
}
