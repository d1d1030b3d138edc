namespace ImageBuilder.Operator.Controllers.Election;

/// <summary>Runs work only while this replica leads.</summary>
public interface ILeaderElection : ILeaderStatus
{
    /// <summary>
    /// Campaigns until <paramref name="stoppingToken"/> is cancelled. While leading, runs <paramref name="whileLeading"/>
    /// with a token that is cancelled the moment leadership is lost. On shutdown <paramref name="whileLeading"/> is
    /// expected to watch <paramref name="stoppingToken"/> itself and return once its in-flight work is done; the
    /// lease is renewed until it returns, then released so another replica takes over without waiting it out.
    /// </summary>
    Task RunAsync(Func<CancellationToken, Task> whileLeading, CancellationToken stoppingToken);
}
