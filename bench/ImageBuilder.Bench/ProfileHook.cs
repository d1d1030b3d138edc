using System.Globalization;

namespace ImageBuilder.Bench;

/// <summary>
/// Lets bench/profile.sh attach a tracer to the operator process around one measured phase, without a second bench:
/// with <c>BENCH_PROFILE_DIR</c> and <c>BENCH_PROFILE_PHASE</c> set, the bench writes the operator's pid to
/// <c>DIR/pid</c> when that phase is about to start and waits for <c>DIR/attached</c> (the tracer is running), and
/// writes <c>DIR/done</c> when the phase ends and waits for <c>DIR/detached</c> (the trace is stopped and written), so
/// the trace holds the phase and nothing of the operator's start-up or of the other phases. Unset, it does nothing.
/// </summary>
public static class ProfileHook
{
    /// <summary>The phases a profile can cover, as bench/profile.sh names them.</summary>
    public static readonly IReadOnlyList<string> Phases = ["ingest", "reconcile-idle", "settle"];

    // Attaching and stopping (the rundown of every loaded method) take seconds on a quiet machine, minutes on a loaded one.
    private static readonly TimeSpan AttachTimeout = TimeSpan.FromMinutes(10);

    private static string? Dir => Environment.GetEnvironmentVariable("BENCH_PROFILE_DIR") is { Length: > 0 } dir ? dir : null;

    /// <summary>Before <paramref name="phase"/>: hands the operator's pid to the profiler and waits until it is attached.</summary>
    public static async Task BeginAsync(string phase, int operatorPid)
    {
        if (Dir is not { } dir || Environment.GetEnvironmentVariable("BENCH_PROFILE_PHASE") != phase)
        {
            return;
        }
        await File.WriteAllTextAsync(Path.Combine(dir, "pid"), operatorPid.ToString(CultureInfo.InvariantCulture) + "\n");
        await WaitForAsync(Path.Combine(dir, "attached"), "the profiler did not attach");
        Console.WriteLine($"profile: {phase} starts (operator pid {operatorPid})");
    }

    /// <summary>After <paramref name="phase"/>: tells the profiler to stop and waits until the trace is written.</summary>
    public static async Task EndAsync(string phase)
    {
        if (Dir is not { } dir || Environment.GetEnvironmentVariable("BENCH_PROFILE_PHASE") != phase)
        {
            return;
        }
        Console.WriteLine($"profile: {phase} ended");
        await File.WriteAllTextAsync(Path.Combine(dir, "done"), "\n");
        await WaitForAsync(Path.Combine(dir, "detached"), "the profiler did not stop");
    }

    private static async Task WaitForAsync(string file, string what)
    {
        var deadline = DateTime.UtcNow + AttachTimeout;
        while (!File.Exists(file))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{what} within {AttachTimeout.TotalSeconds:0} s ({file} is missing)");
            }
            await Task.Delay(100);
        }
    }
}
