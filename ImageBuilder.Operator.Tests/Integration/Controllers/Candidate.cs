using ImageBuilder.Operator.Controllers;
using ImageBuilder.Operator.Controllers.Election;
using k8s;
using Microsoft.Extensions.Logging;

namespace ImageBuilder.Operator.Tests.Integration.Controllers;

/// <summary>One replica campaigning for a Lease; its "work" just records when it leads and when it is told to stop.</summary>
public sealed class Candidate : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource _leading = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _lost = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly LeaderCounter _counter;
    private readonly Task _run;

    public Candidate(IKubernetes kubernetes, string ns, string lease, string identity, LeaderCounter counter, ILoggerFactory logs)
    {
        _counter = counter;
        var options = new LeaderElectionOptions
        {
            LeaseNamespace = ns,
            LeaseName = lease,
            Identity = identity,
            LeaseDuration = TimeSpan.FromSeconds(3),
            RenewDeadline = TimeSpan.FromSeconds(2),
            RetryPeriod = TimeSpan.FromMilliseconds(500),
        };
        Election = new LeaseLeaderElection(kubernetes, options, TimeProvider.System, logs.CreateLogger<LeaseLeaderElection>());
        _run = Election.RunAsync(LeadAsync, _stop.Token);
    }

    public LeaseLeaderElection Election { get; }

    /// <summary>Completes when this candidate first starts leading.</summary>
    public Task Leading => _leading.Task;

    /// <summary>Completes when a leadership term of this candidate was cut short by losing the lease.</summary>
    public Task Lost => _lost.Task;

    /// <summary>Stops campaigning (and leading), as a shutting-down replica does; waits for the lease release.</summary>
    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        await _run.WaitAsync(RecordingHandler<object>.Guard);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _stop.Dispose();
    }

    private async Task LeadAsync(CancellationToken leadership)
    {
        _counter.Enter();
        try
        {
            _leading.TrySetResult();
            using var either = CancellationTokenSource.CreateLinkedTokenSource(leadership, _stop.Token);
            await Task.Delay(Timeout.InfiniteTimeSpan, either.Token).ContinueWith(_ => { }, TaskScheduler.Default);
            if (leadership.IsCancellationRequested)
            {
                _lost.TrySetResult();
            }
        }
        finally
        {
            _counter.Leave();
        }
    }
}
