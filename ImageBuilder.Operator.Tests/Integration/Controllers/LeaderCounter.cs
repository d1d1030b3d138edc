namespace ImageBuilder.Operator.Tests.Integration.Controllers;

/// <summary>Counts candidates that are leading at once, and the most ever seen.</summary>
public sealed class LeaderCounter
{
    private readonly Lock _gate = new();
    private int _current;

    public int Max { get; private set; }

    public void Enter()
    {
        lock (_gate)
        {
            _current++;
            Max = Math.Max(Max, _current);
        }
    }

    public void Leave()
    {
        lock (_gate)
        {
            _current--;
        }
    }
}
