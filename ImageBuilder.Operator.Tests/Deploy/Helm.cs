namespace ImageBuilder.Operator.Tests.Deploy;

/// <summary>
/// Runs the helm binary that scripts/services.sh installs against the chart of this checkout. When helm is
/// missing it installs it through the same script (tools only: no service is started) instead of skipping.
/// </summary>
internal static class Helm
{
    private static readonly SemaphoreSlim InstallLock = new(1, 1);
    private static string? _path;

    public static string RepoRoot { get; } = FindRepoRoot();

    public static string ChartDir { get; } = Path.Combine(RepoRoot, "deploy", "helm", "image-builder");

    public static string DevValues { get; } = Path.Combine(ChartDir, "values-dev.yaml");

    /// <summary>The build images a platform must set (the chart has no default for them); before any other values file.</summary>
    public static string PlatformImages { get; } = Path.Combine(RepoRoot, "ImageBuilder.Operator.Tests", "Deploy", "platform-images.yaml");

    public static async Task<HelmResult> RunAsync(params string[] args) =>
        await RunProcessAsync(await PathAsync(), args, TimeSpan.FromMinutes(2));

    /// <summary>
    /// <c>helm template</c> of the chart with the platform's build images (<see cref="PlatformImages"/>) and then
    /// <paramref name="args"/>; throws with helm's message when it does not render.
    /// </summary>
    public static async Task<RenderedManifests> TemplateAsync(params string[] args)
    {
        var result = await RunAsync(["template", "image-builder", ChartDir, "--namespace", "image-builder", "-f", PlatformImages, .. args]);
        Assert.True(result.Succeeded, $"helm template failed: {result}");
        return RenderedManifests.Parse(result.StdOut);
    }

    /// <summary><c>helm template</c> with the platform's build images, returning how it went (for renders that must fail).</summary>
    public static Task<HelmResult> RenderAsync(params string[] args) =>
        RunAsync(["template", "x", ChartDir, "-f", PlatformImages, .. args]);

    private static async Task<string> PathAsync()
    {
        if (_path is not null)
        {
            return _path;
        }
        await InstallLock.WaitAsync();
        try
        {
            _path ??= Find() ?? await InstallAsync();
            return _path;
        }
        finally
        {
            InstallLock.Release();
        }
    }

    private static async Task<string> InstallAsync()
    {
        var result = await RunProcessAsync("bash", [Path.Combine(RepoRoot, "scripts", "services.sh"), "up", "tools"], TimeSpan.FromMinutes(10));
        return result.Succeeded && Find() is { } path
            ? path
            : throw new InvalidOperationException($"helm is not installed and scripts/services.sh up tools did not install it: {result}");
    }

    // The same places the scripts use: $HELM, platform.env, the tools cache, then PATH.
    private static string? Find()
    {
        var state = Environment.GetEnvironmentVariable("IB_STATE") ?? "/var/lib/imagebuilder";
        var cache = Environment.GetEnvironmentVariable("IB_CACHE") ?? "/var/cache/imagebuilder";
        var platformEnv = Path.Combine(state, "platform.env");
        var fromEnvFile = File.Exists(platformEnv)
            ? File.ReadLines(platformEnv).FirstOrDefault(l => l.StartsWith("HELM=", StringComparison.Ordinal))?["HELM=".Length..]
            : null;
        var onPath = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries).Select(d => Path.Combine(d, "helm"));
        return new[] { Environment.GetEnvironmentVariable("HELM"), fromEnvFile, Path.Combine(cache, "tools", "bin", "helm") }
            .Concat(onPath)
            .FirstOrDefault(p => !string.IsNullOrEmpty(p) && File.Exists(p));
    }

    /// <summary>Any program (kubectl, whose "no" from auth can-i is exit 1), with its exit code instead of an exception.</summary>
    public static async Task<HelmResult> RunProcessAsync(string file, IEnumerable<string> args, TimeSpan timeout)
    {
        var outcome = await ProcessRun.RunAsync(ProcessRun.Command(file, args, RepoRoot), timeout);
        return new HelmResult(outcome.ExitCode, outcome.StdOut, outcome.StdErr);
    }

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "ImageBuilder.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("ImageBuilder.sln not found above " + AppContext.BaseDirectory);
    }
}
