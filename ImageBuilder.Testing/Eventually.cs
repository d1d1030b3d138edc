namespace ImageBuilder.Testing;

/// <summary>Polls until a condition holds, failing with what was awaited. Generous limits, never a timing assertion.</summary>
public static class Eventually
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(250);

    public static async Task WaitAsync(Func<Task<bool>> condition, TimeSpan within, string what)
    {
        ArgumentNullException.ThrowIfNull(condition);
        using var timeout = new CancellationTokenSource(within);
        while (!await condition())
        {
            if (timeout.IsCancellationRequested)
            {
                throw new TimeoutException($"Waited {within} for {what}.");
            }
            await Task.Delay(Poll, CancellationToken.None);
        }
    }

    /// <summary>Polls <paramref name="read"/> until <paramref name="accept"/> says yes; returns the accepted value.</summary>
    public static async Task<T> ValueAsync<T>(Func<Task<T>> read, Func<T, bool> accept, TimeSpan within, string what, Func<T, string>? describe = null)
    {
        ArgumentNullException.ThrowIfNull(read);
        ArgumentNullException.ThrowIfNull(accept);
        using var timeout = new CancellationTokenSource(within);
        while (true)
        {
            var value = await read();
            if (accept(value))
            {
                return value;
            }
            if (timeout.IsCancellationRequested)
            {
                throw new TimeoutException($"Waited {within} for {what}; last seen: {(describe is null ? value?.ToString() : describe(value))}");
            }
            await Task.Delay(Poll, CancellationToken.None);
        }
    }
}
