namespace ImageBuilder.Testing.Operators;

/// <summary>
/// One running operator, whichever way it runs: in this process (<see cref="OperatorHost"/>: a test reaches its
/// services and logs) or as its own process (<see cref="OperatorProcess"/>: a SIGKILL is a real crash, its memory its own).
/// </summary>
public interface IOperatorInstance : IAsyncDisposable
{
    /// <summary>Where it listens (<c>/readyz</c>, <c>/metrics</c>, the dashboard).</summary>
    Uri Url { get; }

    /// <summary>Waits until <c>/readyz</c> says it leads (503 until its caches are loaded); returns that answer.</summary>
    Task<string> WaitForLeaderAsync(TimeSpan within);
}
