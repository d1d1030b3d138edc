using System.Diagnostics;

namespace ImageBuilder.Testing;

/// <summary>
/// A command whose output is read line by line as it comes, for commands that run long (<c>make run</c>, the operator)
/// and whose output is what a failing test must show, including when they hang.
/// </summary>
public sealed class CapturedProcess : IDisposable
{
    private readonly Process _process;
    private readonly List<(bool IsError, string Line)> _lines = [];

    private CapturedProcess(Process process) => _process = process;

    public int ExitCode => _process.ExitCode;

    /// <summary>Starts <paramref name="start"/> with both output streams redirected and read.</summary>
    public static CapturedProcess Start(ProcessStartInfo start)
    {
        ArgumentNullException.ThrowIfNull(start);
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        var captured = new CapturedProcess(new Process { StartInfo = start });
        captured._process.OutputDataReceived += (_, e) => captured.Add(isError: false, e.Data);
        captured._process.ErrorDataReceived += (_, e) => captured.Add(isError: true, e.Data);
        captured._process.Start();
        captured._process.BeginOutputReadLine();
        captured._process.BeginErrorReadLine();
        return captured;
    }

    /// <summary>
    /// Waits for the exit and for the last line of output; false when <paramref name="timeout"/> passed first, and then
    /// the whole process tree has been killed.
    /// </summary>
    public Task<bool> WaitForExitAsync(TimeSpan timeout) => ProcessRun.WaitForExitOrKillAsync(_process, timeout);

    public IReadOnlyList<string> StdOut => Lines(isError: false);

    public IReadOnlyList<string> StdErr => Lines(isError: true);

    /// <summary>Both streams, line by line, in the order the lines arrived: as a terminal would show them.</summary>
    public string Text()
    {
        lock (_lines)
        {
            return string.Join('\n', _lines.Select(l => l.Line));
        }
    }

    public void Dispose() => _process.Dispose();

    private void Add(bool isError, string? line)
    {
        if (line is not null)
        {
            lock (_lines)
            {
                _lines.Add((isError, line));
            }
        }
    }

    private List<string> Lines(bool isError)
    {
        lock (_lines)
        {
            return [.. _lines.Where(l => l.IsError == isError).Select(l => l.Line)];
        }
    }
}
