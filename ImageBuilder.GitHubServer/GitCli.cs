using System.Diagnostics;
using System.Text;

namespace ImageBuilder.GitHubServer;

/// <summary>The real git CLI, run without a shell, for the test server's bare repositories.</summary>
internal static class GitCli
{
    /// <summary>Identity and isolation for every git run, so the machine's git config cannot change what tests see.</summary>
    public static Dictionary<string, string> BaseEnvironment(DateTimeOffset? when = null)
    {
        var date = (when ?? DateTimeOffset.UtcNow).ToString("yyyy-MM-ddTHH:mm:ssK", System.Globalization.CultureInfo.InvariantCulture);
        return new Dictionary<string, string>
        {
            ["GIT_CONFIG_NOSYSTEM"] = "1",
            ["GIT_CONFIG_GLOBAL"] = "/dev/null",
            ["GIT_AUTHOR_NAME"] = "Octo Cat",
            ["GIT_AUTHOR_EMAIL"] = "octocat@example.com",
            ["GIT_COMMITTER_NAME"] = "Octo Cat",
            ["GIT_COMMITTER_EMAIL"] = "octocat@example.com",
            ["GIT_AUTHOR_DATE"] = date,
            ["GIT_COMMITTER_DATE"] = date,
            ["LC_ALL"] = "C",
        };
    }

    public static ProcessStartInfo StartInfo(string? gitDir, IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo("git")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (gitDir is not null)
        {
            start.ArgumentList.Add("--git-dir=" + gitDir);
        }
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        foreach (var (key, value) in environment ?? BaseEnvironment())
        {
            start.Environment[key] = value;
        }
        return start;
    }

    /// <summary>Runs git to completion; throws with stderr when it fails.</summary>
    public static async Task<string> RunAsync(string? gitDir, IEnumerable<string> arguments, string? input = null, IReadOnlyDictionary<string, string>? environment = null)
    {
        var (exit, output, error) = await TryRunAsync(gitDir, arguments, input, environment);
        return exit == 0 ? output : throw new InvalidOperationException($"git failed ({exit}): {error}");
    }

    public static async Task<(int ExitCode, string Output, string Error)> TryRunAsync(
        string? gitDir, IEnumerable<string> arguments, string? input = null, IReadOnlyDictionary<string, string>? environment = null)
    {
        using var process = Process.Start(StartInfo(gitDir, arguments, environment))!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (input is not null)
        {
            await process.StandardInput.BaseStream.WriteAsync(Encoding.UTF8.GetBytes(input));
        }
        process.StandardInput.Close();
        await process.WaitForExitAsync();
        return (process.ExitCode, await output, await error);
    }
}
