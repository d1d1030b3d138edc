using System.Diagnostics;

namespace ImageBuilder.Testing;

/// <summary>What a finished command printed and how it exited.</summary>
public sealed record ProcessOutcome(int ExitCode, string StdOut, string StdErr);

/// <summary>
/// Runs a command to its end with a deadline and collects its output: the one way the tests call helm, kubectl and the
/// repository's scripts.
/// </summary>
public static class ProcessRun
{
    /// <summary>
    /// Starts <paramref name="start"/> (its output and, with <paramref name="stdin"/>, its input redirected) and waits for
    /// it; past <paramref name="timeout"/> the whole process tree is killed and a <see cref="TimeoutException"/> names
    /// the command.
    /// </summary>
    public static async Task<ProcessOutcome> RunAsync(ProcessStartInfo start, TimeSpan timeout, string? stdin = null)
    {
        ArgumentNullException.ThrowIfNull(start);
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.RedirectStandardInput = stdin is not null;
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {start.FileName}");
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin);
            process.StandardInput.Close();
        }
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!await WaitForExitOrKillAsync(process, timeout))
        {
            throw new TimeoutException($"{Describe(start)} did not finish in {timeout}");
        }
        return new ProcessOutcome(process.ExitCode, await stdout, await stderr);
    }

    /// <summary>
    /// Waits for <paramref name="process"/> to exit and, where its output is read line by line, for the last line
    /// (<see cref="Process.WaitForExitAsync"/> waits for both); past <paramref name="timeout"/> kills its whole tree,
    /// waits for that, and returns false.
    /// </summary>
    public static async Task<bool> WaitForExitOrKillAsync(Process process, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(process);
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None);
            return false;
        }
        return true;
    }

    /// <summary>A command with its arguments, each passed as is (no shell).</summary>
    public static ProcessStartInfo Command(string file, IEnumerable<string> args, string? workingDirectory = null)
    {
        ArgumentNullException.ThrowIfNull(args);
        var start = new ProcessStartInfo(file) { WorkingDirectory = workingDirectory ?? "" };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        return start;
    }

    public static string Describe(ProcessStartInfo start)
    {
        ArgumentNullException.ThrowIfNull(start);
        return $"{start.FileName} {string.Join(' ', start.ArgumentList)}";
    }
}
