using System.Diagnostics;

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
    public static async Task<HelmResult> RunAsync(string file, IEnumerable<string> args, TimeSpan timeout)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Helm.RepoRoot };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }
        using var process = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {file}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', psi.ArgumentList)} did not finish in {timeout}");
        }
        return new HelmResult(process.ExitCode, await stdout, await stderr);
    }

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
