namespace ImageBuilder.Operator.Bridge;

/// <summary>
/// Stamps request order (<see cref="Api.RequestOrder"/>) as the bridge receives requests: the clock's time, made
/// strictly increasing within this process so a clock step back or two requests in one tick never tie or invert.
/// Across replicas the order is the nodes' clocks', as close as their synchronisation.
/// </summary>
public sealed class RequestClock(TimeProvider time)
{
    private long _last;

    public DateTimeOffset Next()
    {
        while (true)
        {
            var last = Interlocked.Read(ref _last);
            var next = Math.Max(time.GetUtcNow().UtcTicks, last + 1);
            if (Interlocked.CompareExchange(ref _last, next, last) == last)
            {
                return new DateTimeOffset(next, TimeSpan.Zero);
            }
        }
    }
}
