using System.Text.RegularExpressions;

namespace ImageBuilder.Operator.Tests.Deploy;

/// <summary>
/// The development commands' settings file: config/.env.example documents every variable the scripts read,
/// config/.env (here a temporary file through DEV_ENV_FILE, so the checkout's own is never touched) changes
/// what make run, make up and make submit use, the environment wins over it, and a bad line stops a command
/// before it does anything. Only the loading is run (scripts/config.sh and the commands' first lines):
/// MakeRunTests runs the whole of make run.
/// </summary>
public sealed partial class DevEnvTests : IDisposable
{
    private static readonly string Scripts = Path.Combine(Helm.RepoRoot, "scripts");
    private static readonly string Example = Path.Combine(Helm.RepoRoot, "config", ".env.example");
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(1);
    // Read but not settings: HOME and PATH are the system's (common.sh only fills HOME in for CI's bare
    // environment; the benchmarks look tools up on PATH), DEV_ENV_FILE names the settings file itself and so
    // can only come from the environment.
    private static readonly string[] NotSettings = ["HOME", "PATH", "DEV_ENV_FILE"];
    private readonly string _dir = Directory.CreateTempSubdirectory("devenv-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Config_ValuesInEnvFile_ChangeWhatMakeRunSubmitAndUpUse()
    {
        var file = await EnvFileAsync("GITHUB_PORT=18099", "DEMO_BUILD_QUEUE='devenv.build'", "export IB_NAMESPACE=\"devenv-ns\"");

        var result = await BashAsync("config.sh", new() { ["DEV_ENV_FILE"] = file });

        Assert.True(result.Succeeded, result.ToString());
        Assert.Contains("GitHub test server http://127.0.0.1:18099/", result.StdOut, StringComparison.Ordinal);
        Assert.Contains("build queue devenv.build,", result.StdOut, StringComparison.Ordinal);
        Assert.Contains("release image-builder in namespace devenv-ns,", result.StdOut, StringComparison.Ordinal);
        Assert.Matches(@"(?m)^GITHUB_PORT +18099 +" + Regex.Escape(file) + "$", result.StdOut);
        // Untouched names keep the scripts' defaults.
        Assert.Contains("operator http://127.0.0.1:8081/ watching namespace demo,", result.StdOut, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Config_VariableInEnvironmentAndEnvFile_EnvironmentWins()
    {
        var file = await EnvFileAsync("GITHUB_PORT=18099");

        var result = await BashAsync("config.sh", new() { ["DEV_ENV_FILE"] = file, ["GITHUB_PORT"] = "18100" });

        Assert.True(result.Succeeded, result.ToString());
        Assert.Contains("GitHub test server http://127.0.0.1:18100/", result.StdOut, StringComparison.Ordinal);
        Assert.Matches(@"(?m)^GITHUB_PORT +18100 +environment$", result.StdOut);
    }

    [Theory]
    [InlineData("run.sh")]
    [InlineData("up.sh")]
    [InlineData("submit.sh")]
    [InlineData("undeploy.sh")]
    public async Task Command_MalformedLineInEnvFile_FailsNamingFileAndLineWithoutTheValue(string script)
    {
        var file = await EnvFileAsync("OPERATOR_PORT=8081", "REGISTRY PASSWORD=devenv-secret-value");

        var result = await BashAsync(script, new() { ["DEV_ENV_FILE"] = file });

        Assert.False(result.Succeeded, result.ToString());
        // The example's lines come first, then the two above: the bad one is the last line of the file.
        var line = (await File.ReadAllLinesAsync(file)).Length;
        Assert.Equal($"error: {file}:{line}: not a NAME=value line (no spaces around =; comments start with #)", result.StdErr.Trim());
        Assert.DoesNotContain("devenv-secret-value", result.StdOut + result.StdErr, StringComparison.Ordinal);
        Assert.Equal("", result.StdOut);
    }

    [Fact]
    public async Task Command_UnknownNameInEnvFile_FailsNamingIt()
    {
        var file = await EnvFileAsync("GITHB_PORT=18099");

        var result = await BashAsync("submit.sh", new() { ["DEV_ENV_FILE"] = file });

        Assert.False(result.Succeeded, result.ToString());
        Assert.Contains($"{file}:{(await File.ReadAllLinesAsync(file)).Length}: GITHB_PORT is not a setting of the development commands (config/.env.example lists them)",
            result.StdErr, StringComparison.Ordinal);
        Assert.Equal("", result.StdOut);
    }

    [Fact]
    public async Task FirstUse_NoEnvFile_CopiesTheExampleAndUsesIt()
    {
        // A checkout of its own (the scripts and the example), so the real checkout's config/.env is not touched.
        var root = Path.Combine(_dir, "checkout");
        Directory.CreateDirectory(Path.Combine(root, "config"));
        CopyDirectory(Scripts, Path.Combine(root, "scripts"));
        File.Copy(Example, Path.Combine(root, "config", ".env.example"));

        var result = await RunAsync("bash", [Path.Combine(root, "scripts", "config.sh")], new());

        Assert.True(result.Succeeded, result.ToString());
        Assert.Contains("created config/.env from config/.env.example", result.StdErr, StringComparison.Ordinal);
        Assert.Equal(await File.ReadAllTextAsync(Example), await File.ReadAllTextAsync(Path.Combine(root, "config", ".env")));
        Assert.Contains("GitHub test server http://127.0.0.1:8090/", result.StdOut, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EnvExample_EveryVariableTheCommandsRead_IsDocumentedAndNothingElse()
    {
        var documented = DocumentedName().Matches(await File.ReadAllTextAsync(Example)).Select(m => m.Groups[1].Value).ToHashSet(StringComparer.Ordinal);
        var sources = Directory.EnumerateFiles(Scripts, "*.sh").Append(Path.Combine(Helm.RepoRoot, "Makefile"));
        var read = new HashSet<string>(StringComparer.Ordinal);
        foreach (var source in sources)
        {
            read.UnionWith(ShellRead().Matches(await File.ReadAllTextAsync(source)).Select(m => m.Groups[1].Value));
        }
        // make bench passes its sizes through the environment to the benchmark program.
        foreach (var source in Directory.EnumerateFiles(Path.Combine(Helm.RepoRoot, "bench"), "*.cs", SearchOption.AllDirectories))
        {
            read.UnionWith(DotnetRead().Matches(await File.ReadAllTextAsync(source)).Select(m => m.Groups[1].Value));
        }
        read.ExceptWith(NotSettings);
        // Set by scripts/bench.sh itself, from the BuildKit the platform built.
        read.Remove("BENCH_BUILDKIT_BIN");
        // Set by bench/profile.sh itself, for the bench's hand-over of the operator's pid (ProfileHook).
        read.Remove("BENCH_PROFILE_DIR");
        read.Remove("BENCH_PROFILE_PHASE");

        Assert.Contains("KEEP", read);
        Assert.Contains("OPERATOR_PORT", read);
        Assert.Empty(read.Except(documented).Order(StringComparer.Ordinal));
        Assert.Empty(documented.Except(read).Order(StringComparer.Ordinal));
    }

    private async Task<string> EnvFileAsync(params string[] lines)
    {
        var file = Path.Combine(_dir, "test.env");
        await File.WriteAllLinesAsync(file, (await File.ReadAllLinesAsync(Example)).Concat(lines));
        return file;
    }

    private static Task<HelmResult> BashAsync(string script, Dictionary<string, string> environment) =>
        RunAsync("bash", [Path.Combine(Scripts, script)], environment);

    // The test process's environment minus what would steer the scripts (a developer's own settings), plus the given one.
    private static async Task<HelmResult> RunAsync(string file, IEnumerable<string> args, Dictionary<string, string> environment)
    {
        var start = ProcessRun.Command(file, args, Helm.RepoRoot);
        foreach (var name in DocumentedName().Matches(await File.ReadAllTextAsync(Example)).Select(m => m.Groups[1].Value).Append("DEV_ENV_FILE"))
        {
            start.Environment.Remove(name);
        }
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }
        var outcome = await ProcessRun.RunAsync(start, Timeout);
        return new HelmResult(outcome.ExitCode, outcome.StdOut, outcome.StdErr);
    }

    private static void CopyDirectory(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var f in Directory.EnumerateFiles(from))
        {
            File.Copy(f, Path.Combine(to, Path.GetFileName(f)));
        }
    }

    // NAME= at the start of a line, commented out or not (what common.sh's dev_env_names accepts).
    [GeneratedRegex(@"^#? ?(?:export )?([A-Za-z_][A-Za-z0-9_]*)=", RegexOptions.Multiline)]
    private static partial Regex DocumentedName();

    // ${NAME:-default}, ${NAME:=default}, ${NAME-default}, ${NAME:+alt}: a variable read from the environment.
    [GeneratedRegex(@"\$\{([A-Z][A-Z0-9_]*)(?::-|:=|-|:\+)")]
    private static partial Regex ShellRead();

    // GetEnvironmentVariable("NAME"), or a BENCH_ name handed to a helper that reads it (BenchSizes' Int and List).
    [GeneratedRegex(@"(?:GetEnvironmentVariable|\bInt|\bList)\(""([A-Z][A-Z0-9_]*)""")]
    private static partial Regex DotnetRead();
}
