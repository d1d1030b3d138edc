using System.Text;
using System.Text.Json;
using ImageBuilder.Operator.Api;
using ImageBuilder.Operator.Builds;

namespace ImageBuilder.Operator.Tests.Builds;

/// <summary>
/// Runs the scripts' reporting with the machine's /bin/sh (dash on Debian, the strictest of the
/// shells the images carry): whatever a log holds, the termination message is valid JSON under the
/// kubelet's 4096-byte limit.
/// </summary>
public sealed class BuildScriptsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ib-scripts-").FullName;

    public static TheoryData<string> Scripts() => new(nameof(BuildScripts.Fetch), nameof(BuildScripts.Plan), nameof(BuildScripts.BuildKit));

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
    public async Task BuildKit_MissingRootDirectory_ReportsPlanStage()
    {
        var report = await RunAsync(BuildScripts.BuildKit, ("IB_CONTEXT", Path.Combine(_dir, "nope")), ("IB_DOCKERFILE", "/x/Dockerfile"),
            ("IB_ROOT_DIRECTORY", "nope"), ("IB_IMAGE", "r/x:1"), ("IB_CACHE_REF", "r/x:buildcache"));

        var message = TerminationMessage.TryParse(report)!;
        Assert.Equal(("plan", "RootDirectoryNotFound"), (message.Stage, message.Reason));
        Assert.Contains("'nope'", message.Error, StringComparison.Ordinal);
    }

    // What buildctl --progress=plain prints (util/progress/progressui/printer.go in BuildKit 0.13 and 0.18):
    // "#N NAME" when vertex N starts, "#N 0.123 text" for its output, "#N ERROR: …" when it fails.
    private const string RunStepFails = """
        #5 [2/2] RUN echo 'failed to push: export of the cache' && exit 2
        #5 0.105 failed to push: export of the cache
        #5 ERROR: process "/bin/sh -c echo 'failed to push: export of the cache' && exit 2" did not complete successfully: exit code: 2
        ------
         > [2/2] RUN echo 'failed to push: export of the cache' && exit 2:
        0.105 failed to push: export of the cache
        ------
        error: failed to solve: process "/bin/sh -c echo 'failed to push: export of the cache' && exit 2" did not complete successfully: exit code: 2
        """;

    private const string PushRefused = """
        #6 [2/2] COPY app.sh /app.sh
        #6 DONE 0.0s

        #7 exporting to image
        #7 exporting layers 0.1s done
        #7 exporting manifest sha256:0f 0.0s done
        #7 naming to 127.0.0.1:5000/a/b:c done
        #7 pushing layers
        #7 pushing layers 0.2s done
        #7 ERROR: failed to push 127.0.0.1:5000/a/b:c: unexpected status from PUT request: 503 Service Unavailable
        ------
         > exporting to image:
        ------
        error: failed to solve: failed to push 127.0.0.1:5000/a/b:c: unexpected status from PUT request: 503 Service Unavailable
        """;

    private const string PushUnreachable = """
        #7 exporting to image
        #7 pushing layers
        #8 importing cache manifest from r.example.test/a:buildcache
        #8 DONE 0.1s

        #7 exporting to image
        #7 ERROR: failed to do request: Head "https://r.example.test/v2/a/blobs/sha256:1": dial tcp: connection refused
        error: failed to solve: failed to do request: Head "https://r.example.test/v2/a/blobs/sha256:1": dial tcp: connection refused
        """;

    private const string BaseImageMissing = """
        #3 [internal] load metadata for 127.0.0.1:5000/base/nope:latest
        #3 ERROR: 127.0.0.1:5000/base/nope:latest: not found
        error: failed to solve: 127.0.0.1:5000/base/nope:latest: not found
        """;

    // Seen in make chaos while the registry was stopped (IB_IMAGE is on r.example.test in these cases).
    private const string BaseImageRegistryDown = """
        #2 [internal] load metadata for r.example.test/base/busybox:latest
        #2 ERROR: failed to do request: Head "https://r.example.test/v2/base/busybox/manifests/latest": dial tcp 127.0.0.1:443: connect: connection refused
        ------
         > [internal] load metadata for r.example.test/base/busybox:latest:
        ------
        error: failed to solve: r.example.test/base/busybox:latest: failed to do request: Head "https://r.example.test/v2/base/busybox/manifests/latest": dial tcp 127.0.0.1:443: connect: connection refused
        """;

    private const string OtherRegistryDown = """
        #2 [internal] load metadata for other.example.test/base/busybox:latest
        #2 ERROR: failed to do request: Head "https://other.example.test/v2/base/busybox/manifests/latest": dial tcp 127.0.0.1:443: connect: connection refused
        error: failed to solve: other.example.test/base/busybox:latest: failed to do request: Head "https://other.example.test/v2/base/busybox/manifests/latest": dial tcp 127.0.0.1:443: connect: connection refused
        """;

    private const string DaemonNeverAnswered = """
        could not connect to unix:///run/imagebuilder/xdg/buildkit/buildkitd.sock after 50 trials
        ========== log ==========
        [rootlesskit:parent] error: failed to setup UID/GID map: newuidmap 12 [0 1000 1 1 100000 65536] failed: newuidmap: write to uid_map failed: Operation not permitted
        """;

    public static TheoryData<string, string, string, string> BuildKitFailures() => new()
    {
        // case, buildctl's output, expected stage, expected reason
        { "RUN prints push/export", RunStepFails, BuildStages.Build, BuildReasons.BuildFailed },
        { "registry 503 on push", PushRefused, BuildStages.Push, BuildReasons.PushFailed },
        { "registry unreachable on push", PushUnreachable, BuildStages.Push, BuildReasons.PushFailed },
        { "base image missing", BaseImageMissing, BuildStages.Build, BuildReasons.BuildFailed },
        { "platform registry down for the base image", BaseImageRegistryDown, BuildStages.Build, BuildReasons.RegistryUnavailable },
        { "another registry down for the base image", OtherRegistryDown, BuildStages.Build, BuildReasons.BuildFailed },
        { "buildkitd never answered", DaemonNeverAnswered, BuildStages.Build, BuildReasons.BuildKitUnavailable },
    };

    // A stand-in buildctl-daemonless.sh replays BuildKit's output: what is tested is how the script reads it.
    // The real one runs in Integration/Builds/BuildKitJobTests.
    [Theory]
    [MemberData(nameof(BuildKitFailures))]
    public async Task BuildKit_BuildctlFails_ClassifiedByTheFailingStepNotByWords(string name, string output, string stage, string reason)
    {
        var context = Directory.CreateDirectory(Path.Combine(_dir, "src")).FullName;
        await File.WriteAllTextAsync(Path.Combine(context, "Dockerfile"), "FROM scratch\n");
        await File.WriteAllTextAsync(Path.Combine(_dir, "buildctl.out"), output.ReplaceLineEndings("\n") + "\n");
        var path = await StubAsync("buildctl-daemonless.sh", $"cat '{_dir}/buildctl.out'\nexit 1");

        var report = await RunBuildKitAsync(path, context, Path.Combine(context, "Dockerfile"), ("IB_IMAGE", "r.example.test/a/b:1"), ("IB_CACHE_REF", "r.example.test/a/b:buildcache"));

        var message = TerminationMessage.TryParse(report)!;
        Assert.True((stage, reason) == (message.Stage, message.Reason), $"{name}: {message.Stage}/{message.Reason}");
        var failure = BuildFailureClassifierFor(report);
        Assert.Equal(reason == BuildReasons.BuildFailed ? Faults.User : Faults.Service, failure.Fault);
        Assert.Equal(reason, failure.Reason);
    }

    [Fact]
    public async Task BuildKit_BuildctlSucceeds_PushesWithCacheAndReportsTheDigest()
    {
        var context = Directory.CreateDirectory(Path.Combine(_dir, "src")).FullName;
        await File.WriteAllTextAsync(Path.Combine(context, "Dockerfile"), "FROM scratch\n");
        var path = await RecordingBuildctlAsync();

        var report = await RunBuildKitAsync(path, context, Path.Combine(context, "Dockerfile"), ("IB_IMAGE", "r.example.test/a/b:1"), ("IB_CACHE_REF", "r.example.test/a/b:buildcache"));

        var message = TerminationMessage.TryParse(report)!;
        Assert.Equal((BuildStages.Done, BuildSamples.Digest), (message.Stage, message.Digest));
        var args = await RecordedArgsAsync();
        Assert.Equal(["build", "--progress=plain", "--frontend", "dockerfile.v0", "--local", $"context={context}", "--local", $"dockerfile={context}", "--opt", "filename=Dockerfile"], args.Take(10));
        Assert.Contains("type=image,name=r.example.test/a/b:1,push=true", args);
        Assert.Contains("type=registry,ref=r.example.test/a/b:buildcache", args);
        // A failed cache export must not fail a pushed image.
        Assert.Contains("type=registry,ref=r.example.test/a/b:buildcache,mode=max,ignore-error=true", args);
        Assert.Equal("50", await File.ReadAllTextAsync(Path.Combine(_dir, "retries")));
    }

    [Fact]
    public async Task BuildKit_InsecureRegistries_WriteBuildkitdTomlAndMarkThePushInsecure()
    {
        var context = Directory.CreateDirectory(Path.Combine(_dir, "src")).FullName;
        await File.WriteAllTextAsync(Path.Combine(context, "Dockerfile"), "FROM scratch\n");
        var path = await RecordingBuildctlAsync();

        await RunBuildKitAsync(path, context, Path.Combine(context, "Dockerfile"), ("IB_INSECURE_REGISTRIES", "127.0.0.1:5000 mirror.example.test"),
            ("IB_IMAGE", "127.0.0.1:5000/a/b:1"), ("IB_CACHE_REF", "127.0.0.1:5000/a/b:buildcache"));

        // Where rootless buildkitd reads it (docs/buildkitd.toml.md): ~/.config/buildkit/buildkitd.toml.
        var toml = await File.ReadAllTextAsync(Path.Combine(_dir, "home", ".config", "buildkit", "buildkitd.toml"));
        Assert.Equal("[registry.\"127.0.0.1:5000\"]\n  http = true\n  insecure = true\n\n[registry.\"mirror.example.test\"]\n  http = true\n  insecure = true\n\n", toml);
        var args = await RecordedArgsAsync();
        Assert.Contains("type=image,name=127.0.0.1:5000/a/b:1,push=true,registry.insecure=true", args);
        Assert.Contains("type=registry,ref=127.0.0.1:5000/a/b:buildcache,registry.insecure=true", args);
        Assert.Contains("type=registry,ref=127.0.0.1:5000/a/b:buildcache,mode=max,ignore-error=true,registry.insecure=true", args);
    }

    [Fact]
    public async Task BuildKit_Runs_WithThisPodsOwnRuntimeFolder()
    {
        // Two daemonless builds with one XDG_RUNTIME_DIR share buildkitd's socket: the second talks to the first
        // one's daemon, which then exits. The script must use the pod's own folder, made private.
        var context = Directory.CreateDirectory(Path.Combine(_dir, "src")).FullName;
        await File.WriteAllTextAsync(Path.Combine(context, "Dockerfile"), "FROM scratch\n");
        var path = await RecordingBuildctlAsync();

        await RunBuildKitAsync(path, context, Path.Combine(context, "Dockerfile"), ("XDG_RUNTIME_DIR", "/run/user/1000"));

        var runtime = Path.Combine(_dir, "pod-run", "xdg");
        Assert.Equal(runtime, await File.ReadAllTextAsync(Path.Combine(_dir, "xdg")));
        Assert.Equal("700", (await PlatformFixture.RunAsync("stat", ["-c", "%a", runtime], TimeSpan.FromSeconds(10))).Trim());
    }

    [Fact]
    public async Task BuildKit_PlanLeftTheDecision_BuildsItsDockerfileWithNixpacksVariablesLast()
    {
        var context = Directory.CreateDirectory(Path.Combine(_dir, "src", "api")).FullName;
        Directory.CreateDirectory(Path.Combine(context, ".nixpacks"));
        await File.WriteAllTextAsync(Path.Combine(context, ".nixpacks", "Dockerfile"), "FROM scratch\n");
        var plan = Directory.CreateDirectory(Path.Combine(_dir, "plan")).FullName;
        await File.WriteAllTextAsync(Path.Combine(plan, "dockerfile"), Path.Combine(context, ".nixpacks", "Dockerfile") + "\n");
        await File.WriteAllTextAsync(Path.Combine(plan, "build-args"), "'--opt' 'build-arg:A=from nixpacks' '--opt' 'build-arg:Q=it'\\''s $(id)\nline 2'\n");
        var path = await RecordingBuildctlAsync();

        await RunBuildKitAsync(path, context, dockerfile: null, ("IB_PLAN", plan), ("IB_ARGS", "--opt build-arg:A=from-the-plan"));

        var args = await RecordedArgsAsync();
        Assert.Contains($"dockerfile={context}/.nixpacks", args);
        var buildArgs = args.Where(a => a.StartsWith("build-arg:", StringComparison.Ordinal)).ToList();
        Assert.Equal(["build-arg:A=from-the-plan", "build-arg:A=from nixpacks", "build-arg:Q=it's $(id)\nline 2"], buildArgs);
    }

    [Fact]
    public async Task BuildKit_NamedDockerfileMissing_SaysWhichRelativeToTheRepository()
    {
        var context = Directory.CreateDirectory(Path.Combine(_dir, "src")).FullName;

        var report = await RunBuildKitAsync(await RecordingBuildctlAsync(), context, Path.Combine(context, "deploy", "Dockerfile.prod"));

        var message = TerminationMessage.TryParse(report)!;
        Assert.Equal((BuildStages.Plan, "DockerfileNotFound", "there is no Dockerfile at 'deploy/Dockerfile.prod'"), (message.Stage, message.Reason, message.Error));
    }

    [Fact]
    public async Task Plan_RepositoryDockerfileAndNoBuilder_UsesItWithoutNixpacks()
    {
        var context = Directory.CreateDirectory(Path.Combine(_dir, "src")).FullName;
        await File.WriteAllTextAsync(Path.Combine(context, "Dockerfile"), "FROM scratch\n");
        var path = await FakeNixpacksAsync();

        var report = await RunPlanAsync(path, context, builder: "");

        Assert.Equal(BuildStages.Plan, TerminationMessage.TryParse(report)!.Stage);
        Assert.Equal(Path.Combine(context, "Dockerfile") + "\n", await File.ReadAllTextAsync(Path.Combine(_dir, "plan", "dockerfile")));
        Assert.False(File.Exists(Path.Combine(_dir, "nixpacks-calls")), "nixpacks must not run when the repository has a Dockerfile");
    }

    [Fact]
    public async Task Plan_BuilderNixpacks_RunsNixpacksEvenWithADockerfile()
    {
        var context = Directory.CreateDirectory(Path.Combine(_dir, "src")).FullName;
        await File.WriteAllTextAsync(Path.Combine(context, "Dockerfile"), "FROM scratch\n");
        var path = await FakeNixpacksAsync();

        await RunPlanAsync(path, context, builder: "nixpacks");

        Assert.Equal(Path.Combine(context, ".nixpacks", "Dockerfile") + "\n", await File.ReadAllTextAsync(Path.Combine(_dir, "plan", "dockerfile")));
        var calls = await File.ReadAllLinesAsync(Path.Combine(_dir, "nixpacks-calls"));
        Assert.Equal(["plan . --format json --start-cmd=node s.js", "build . --out . --cache-key 18008/app --start-cmd=node s.js"], calls);
    }

    [Fact]
    public async Task Plan_NixpacksVariables_BecomeBuildArgsWithTheirExactValues()
    {
        var context = Directory.CreateDirectory(Path.Combine(_dir, "src")).FullName;
        await File.WriteAllTextAsync(Path.Combine(context, "package.json"), "{}\n");
        var path = await FakeNixpacksAsync();

        // EMPTY and HOME arrive as "--env=NAME" (BuildKitStrategy.NixpacksArgs) and are named in IB_EMPTY_ENVS.
        await RunPlanAsync(path, context, builder: "", ("IB_EMPTY_ENVS", "EMPTY HOME"), ("EMPTY", "leaked from the plan container"),
            ("IB_ARGS", "'--env=GREETING=it'\\''s \"hi\" $(id)' --env=EMPTY --env=HOME"));

        var args = await EvalBuildArgsAsync(Path.Combine(_dir, "plan", "build-args"));
        Assert.Equal(
        [
            "--opt", "build-arg:EMPTY=",
            "--opt", "build-arg:GREETING=it's \"hi\" $(id)",
            "--opt", "build-arg:HOME=",
            "--opt", "build-arg:NIXPACKS_METADATA=node",
            "--opt", "build-arg:NPM_CONFIG_PRODUCTION=false",
        ], args);
    }

    [Fact]
    public async Task Plan_NoNixpacksBinary_IsNixpacksUnavailableSayingWhatToInstall()
    {
        var context = Directory.CreateDirectory(Path.Combine(_dir, "src")).FullName;
        await File.WriteAllTextAsync(Path.Combine(context, "package.json"), "{}\n");

        var report = await RunPlanAsync($"{Directory.CreateDirectory(Path.Combine(_dir, "empty-bin")).FullName}:/usr/bin:/bin", context, builder: "");

        var message = TerminationMessage.TryParse(report)!;
        Assert.Equal((BuildStages.Plan, BuildReasons.NixpacksUnavailable), (message.Stage, message.Reason));
        Assert.Contains("nixpacks 1.39.0 and jq", message.Error, StringComparison.Ordinal);
        Assert.Equal(Faults.Service, BuildFailureClassifierFor(report).Fault);
    }

    [Fact]
    public async Task Plan_NixpacksFails_IsAPlanFailureWithItsOutput()
    {
        var context = Directory.CreateDirectory(Path.Combine(_dir, "src")).FullName;
        var path = await FakeNixpacksAsync();

        var report = await RunPlanAsync(path, context, builder: "", ("FAKE_NIXPACKS_FAIL", "1"));

        var message = TerminationMessage.TryParse(report)!;
        Assert.Equal((BuildStages.Plan, BuildReasons.PlanFailed), (message.Stage, message.Reason));
        Assert.Contains("Nixpacks was unable to generate a build plan for this app.", message.LogTail, StringComparison.Ordinal);
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

    /// <summary>Runs the BuildKit script with HOME, the pod's runtime folder and the plan folder under the test's directory.</summary>
    private Task<string> RunBuildKitAsync(string path, string context, string? dockerfile, params (string Name, string Value)[] env)
    {
        var defaults = new List<(string, string)>
        {
            ("PATH", path), ("HOME", Path.Combine(_dir, "home")), ("IB_SOURCE", Path.Combine(_dir, "src")), ("IB_CONTEXT", context),
            ("IB_ROOT_DIRECTORY", ""), ("IB_IMAGE", "r/x:1"), ("IB_CACHE_REF", "r/x:buildcache"), ("IB_PLAN", Path.Combine(_dir, "plan")),
            ("IB_BUILDKIT_RUNTIME", Path.Combine(_dir, "pod-run", "xdg")), ("IB_INSECURE_REGISTRIES", ""), ("BUILDCTL_CONNECT_RETRIES_MAX", "50"),
        };
        if (dockerfile is not null)
        {
            defaults.Add(("IB_DOCKERFILE", dockerfile));
        }
        var names = env.Select(e => e.Name).ToHashSet(StringComparer.Ordinal);
        return RunAsync(BuildScripts.BuildKit, [.. defaults.Where(d => !names.Contains(d.Item1)), .. env]);
    }

    private async Task<string> RunPlanAsync(string path, string context, string builder, params (string Name, string Value)[] env)
    {
        await EnsureJqAsync();
        var defaults = new (string, string)[]
        {
            ("PATH", path), ("HOME", "/tmp"), ("IB_CONTEXT", context), ("IB_ROOT_DIRECTORY", ""), ("IB_PLAN", Path.Combine(_dir, "plan")),
            ("IB_BUILDER", builder), ("IB_NIXPACKS_CACHE_KEY", "18008/app"), ("IB_EMPTY_ENVS", ""), ("IB_ARGS", "'--start-cmd=node s.js'"),
        };
        var names = env.Select(e => e.Name).ToHashSet(StringComparer.Ordinal);
        return await RunAsync(BuildScripts.Plan, [.. defaults.Where(d => !names.Contains(d.Item1)), .. env]);
    }

    /// <summary>A buildctl-daemonless.sh that records its arguments (one per file, so newlines survive), its env, and writes the metadata file.</summary>
    private Task<string> RecordingBuildctlAsync() => StubAsync("buildctl-daemonless.sh", $$"""
        i=0
        mkdir -p '{{_dir}}/args'
        for a in "$@"; do i=$((i + 1)); printf '%s' "$a" >"{{_dir}}/args/$(printf '%03d' $i)"; done
        printf '%s' "$XDG_RUNTIME_DIR" >'{{_dir}}/xdg'
        printf '%s' "$BUILDCTL_CONNECT_RETRIES_MAX" >'{{_dir}}/retries'
        while [ $# -gt 0 ]; do
          if [ "$1" = --metadata-file ]; then
            printf '{\n  "containerimage.config.digest": "sha256:{{new string('1', 64)}}",\n  "containerimage.digest": "{{BuildSamples.Digest}}"\n}\n' >"$2"
          fi
          shift
        done
        echo '#9 exporting to image'
        echo '#9 pushing layers 0.1s done'
        """);

    private async Task<List<string>> RecordedArgsAsync()
    {
        var files = Directory.GetFiles(Path.Combine(_dir, "args")).Order(StringComparer.Ordinal);
        var args = new List<string>();
        foreach (var file in files)
        {
            args.Add(await File.ReadAllTextAsync(file));
        }
        return args;
    }

    /// <summary>
    /// A stand-in for nixpacks 1.39.0 with the behaviour this project relies on, taken from its source:
    /// global flags after the subcommand (src/main.rs, global = true); <c>--env NAME</c> without a value takes NAME
    /// from its own environment, and is left out when unset there (src/nixpacks/environment.rs, from_envs);
    /// <c>plan --format json</c> prints the plan with every variable, provider defaults included, in
    /// <c>variables</c> (src/nixpacks/plan/mod.rs, BuildPlan; generator.rs adds the envs and NIXPACKS_METADATA);
    /// <c>build --out DIR</c> writes DIR/.nixpacks/Dockerfile declaring them as ARG and ENV without values
    /// (src/nixpacks/builder/docker/dockerfile_generation.rs); a plan without phases: <c>plan</c> prints it,
    /// <c>build</c> prints why on stdout and exits 1 (src/lib.rs, create_docker_image).
    /// </summary>
    private Task<string> FakeNixpacksAsync() => StubAsync("nixpacks", $$"""
        echo "$*" >>'{{_dir}}/nixpacks-calls'
        command=$1; shift
        if [ -n "${FAKE_NIXPACKS_FAIL:-}" ] && [ "$command" = build ]; then
          echo; echo 'Nixpacks was unable to generate a build plan for this app.'; exit 1
        fi
        vars='{"NIXPACKS_METADATA":"node","NPM_CONFIG_PRODUCTION":"false"}'
        for a in "$@"; do
          case $a in
            --env=*=*) kv=${a#--env=}; vars=$(printf '%s' "$vars" | jq --arg k "${kv%%=*}" --arg v "${kv#*=}" '. + {($k): $v}') ;;
            --env=*) k=${a#--env=}; if eval "[ -n \"\${$k+set}\" ]"; then eval "v=\$$k"; vars=$(printf '%s' "$vars" | jq --arg k "$k" --arg v "$v" '. + {($k): $v}'); fi ;;
          esac
        done
        case $command in
          plan) printf '{"providers":[],"buildImage":"ghcr.io/railwayapp/nixpacks:ubuntu-1745885067","variables":%s}\n' "$(printf '%s' "$vars" | jq -S -c .)" ;;
          build) mkdir -p .nixpacks; printf 'FROM ghcr.io/railwayapp/nixpacks:ubuntu-1745885067\nARG %s\n' "$(printf '%s' "$vars" | jq -r 'keys | join(" ")')" >.nixpacks/Dockerfile ;;
        esac
        """);

    /// <summary>The words the build script's <c>eval "set -- … $(cat build-args)"</c> makes of the file.</summary>
    private static async Task<List<string>> EvalBuildArgsAsync(string file)
    {
        var output = await PlatformFixture.RunAsync("/bin/sh", ["-c", "eval \"set -- $(cat \"$1\")\"; for a in \"$@\"; do printf '%s\\0' \"$a\"; done", "sh", file], TimeSpan.FromSeconds(10));
        return [.. output.Split('\0', StringSplitOptions.None)[..^1]];
    }

    private static BuildFailure BuildFailureClassifierFor(string report) =>
        Assert.IsType<JobOutcome.Failed>(new BuildJobObserver().Observe(
            new k8s.Models.V1Job { Metadata = new k8s.Models.V1ObjectMeta(), Status = new k8s.Models.V1JobStatus { Conditions = [new k8s.Models.V1JobCondition { Type = "Failed", Status = "True" }] } },
            new k8s.Models.V1Pod
            {
                Metadata = new k8s.Models.V1ObjectMeta(),
                Status = new k8s.Models.V1PodStatus
                {
                    Phase = "Failed",
                    ContainerStatuses = [new k8s.Models.V1ContainerStatus { Name = BuildJobTemplate.BuildContainer, State = new k8s.Models.V1ContainerState { Terminated = new k8s.Models.V1ContainerStateTerminated { ExitCode = 1, Message = report } } }],
                },
            },
            DateTimeOffset.UnixEpoch, TimeSpan.FromMinutes(5))).Failure;

    /// <summary>jq is what the production nixpacks image carries; installed here from Debian like the platform's other tools.</summary>
    private static async Task EnsureJqAsync()
    {
        if (File.Exists("/usr/bin/jq"))
        {
            return;
        }
        await PlatformFixture.RunAsync("bash", ["-c", "source scripts/common.sh && apt_ensure jq"], TimeSpan.FromMinutes(5));
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
        var assignments = string.Concat(env.Where(e => e.Name != "IB_ARGS").Append(("IB_LOGS", _dir)).Append(("IB_TERMINATION_LOG", report))
            .Select(e => $"export {e.Item1}='{e.Item2.Replace("'", "'\\''", StringComparison.Ordinal)}'\n"));
        // IB_ARGS: the container's arguments ("$@"), split by the shell as written.
        var args = env.Where(e => e.Name == "IB_ARGS").Select(e => $"set -- {e.Value}\n");
        var file = Path.Combine(_dir, "script.sh");
        await File.WriteAllTextAsync(file, assignments + string.Concat(args) + script);
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
