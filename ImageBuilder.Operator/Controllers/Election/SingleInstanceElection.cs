namespace ImageBuilder.Operator.Controllers.Election;

/// <summary>Leader election switched off: the only replica always leads.</summary>
public sealed class SingleInstanceElection : ILeaderElection
{
    public bool IsLeader => true;

    public Task RunAsync(Func<CancellationToken, Task> whileLeading, CancellationToken stoppingToken)
    {
        ArgumentNullException.ThrowIfNull(whileLeading);
        return whileLeading(CancellationToken.None);
    }
}
