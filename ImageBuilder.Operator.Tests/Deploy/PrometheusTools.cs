namespace ImageBuilder.Operator.Tests.Deploy;

/// <summary>
/// Debian's <c>prometheus</c> package: <c>promtool</c> for the rule tests and the <c>prometheus</c> server for the
/// scrape test. When it is missing it is installed with the scripts' <c>apt_ensure</c> (scripts/test.sh does the
/// same up front); a test fails, never skips, when it is still missing after that.
/// </summary>
internal static class PrometheusTools
{
    private static readonly SemaphoreSlim InstallLock = new(1, 1);
    private static bool _installed;

    public static async Task<string> PromtoolAsync() => await FindOrInstallAsync("promtool");

    public static async Task<string> PrometheusAsync() => await FindOrInstallAsync("prometheus");

    /// <summary>Runs <paramref name="file"/> from the repository root and returns how it exited and what it printed.</summary>
    public static Task<HelmResult> RunAsync(string file, IEnumerable<string> args, TimeSpan timeout) => Helm.RunProcessAsync(file, args, timeout);

    private static async Task<string> FindOrInstallAsync(string name)
    {
        if (Find(name) is { } found)
        {
            return found;
        }
        await InstallLock.WaitAsync();
        try
        {
            HelmResult? install = null;
            if (!_installed)
            {
                var script = $"source {Path.Combine(Helm.RepoRoot, "scripts", "common.sh")} && apt_ensure prometheus";
                install = await RunAsync("bash", ["-c", script], TimeSpan.FromMinutes(10));
                _installed = install.Succeeded;
            }
            return Find(name) ?? throw new InvalidOperationException(
                $"{name} is missing and apt_ensure prometheus (Debian's prometheus package) did not install it: {install}");
        }
        finally
        {
            InstallLock.Release();
        }
    }

    // Where Debian installs it first, then PATH.
    private static string? Find(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Prepend("/usr/bin")
            .Select(d => Path.Combine(d, name))
            .FirstOrDefault(File.Exists);
}
