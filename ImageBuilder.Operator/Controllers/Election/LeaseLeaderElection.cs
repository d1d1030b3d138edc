using System.Net;
using System.Security.Cryptography;
using k8s;
using k8s.Autorest;
using k8s.LeaderElection;
using k8s.LeaderElection.ResourceLock;
using k8s.Models;

namespace ImageBuilder.Operator.Controllers.Election;

/// <summary>
/// Leader election on a coordination.k8s.io/v1 Lease with KubernetesClient's <see cref="LeaderElector"/>.
/// Each term runs the leader's work under a token cancelled from <c>OnStoppedLeading</c>, so a replica that
/// fails to renew stops reconciling at once instead of racing the new leader.
/// </summary>
public sealed class LeaseLeaderElection : ILeaderElection
{
    private static readonly TimeSpan ReleaseTimeout = TimeSpan.FromSeconds(5);
    private readonly IKubernetes _kubernetes;
    private readonly LeaderElectionOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private volatile bool _isLeader;

    public LeaseLeaderElection(IKubernetes kubernetes, LeaderElectionOptions options, TimeProvider time, ILogger<LeaseLeaderElection> logger)
    {
        ArgumentNullException.ThrowIfNull(kubernetes);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(logger);
        _kubernetes = kubernetes;
        _options = options;
        _time = time;
        _logger = logger;
        Identity = string.IsNullOrEmpty(options.Identity) ? DefaultIdentity() : options.Identity;
    }

    public string Identity { get; }

    public bool IsLeader => _isLeader;

    /// <summary>The pod name (downward API POD_NAME) or host name, plus a random suffix so a restarted pod is a new candidate.</summary>
    public static string DefaultIdentity()
    {
        var name = Environment.GetEnvironmentVariable("POD_NAME") is { Length: > 0 } pod ? pod : Environment.MachineName;
        return name + "_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));
    }

    public async Task RunAsync(Func<CancellationToken, Task> whileLeading, CancellationToken stoppingToken)
    {
        ArgumentNullException.ThrowIfNull(whileLeading);
        while (!stoppingToken.IsCancellationRequested)
        {
            var led = await RunTermAsync(whileLeading, stoppingToken);
            if (led && stoppingToken.IsCancellationRequested)
            {
                await ReleaseAsync();
            }
            else if (!led)
            {
                await PauseAsync(stoppingToken);
            }
        }
    }

    /// <summary>One campaign: acquire, lead until the lease is lost or the work ends; true if this replica led.</summary>
    private async Task<bool> RunTermAsync(Func<CancellationToken, Task> whileLeading, CancellationToken stoppingToken)
    {
        using var term = new Term(this, whileLeading, stoppingToken);
        using var elector = new LeaderElector(CreateConfig());
        elector.OnStartedLeading += term.Start;
        elector.OnStoppedLeading += term.Stop;
        elector.OnNewLeader += leader => Log.NewLeader(_logger, _options.LeaseNamespace, _options.LeaseName, leader ?? "", Identity);
        elector.OnError += e =>
        {
            // The elector reports its own cancellation as an error; that is just this replica stopping.
            if (e is not OperationCanceledException)
            {
                Log.ElectionError(_logger, e);
            }
        };
        try
        {
            await elector.RunUntilLeadershipLostAsync(term.ElectionToken);
        }
        catch (OperationCanceledException) when (term.ElectionToken.IsCancellationRequested)
        {
            // The work ended (shutdown) or stopping was requested before this replica led.
        }
        catch (Exception e)
        {
            Log.ElectionFailed(_logger, e);
        }
        return await term.CompleteAsync();
    }

    private LeaderElectionConfig CreateConfig() =>
        new(new LeaseLock(_kubernetes, _options.LeaseNamespace, _options.LeaseName, Identity))
        {
            LeaseDuration = _options.LeaseDuration,
            RenewDeadline = _options.RenewDeadline,
            RetryPeriod = _options.RetryPeriod,
        };

    /// <summary>
    /// Deletes the Lease if this replica still holds it, so the next candidate acquires it at once. Deleting
    /// (rather than blanking the holder, as client-go does) is what KubernetesClient's elector can pick up:
    /// it treats a missing Lease as free but a Lease without holder as unreadable.
    /// </summary>
    private async Task ReleaseAsync()
    {
        using var timeout = new CancellationTokenSource(ReleaseTimeout, _time);
        try
        {
            var lease = await _kubernetes.CoordinationV1.ReadNamespacedLeaseAsync(_options.LeaseName, _options.LeaseNamespace, cancellationToken: timeout.Token);
            if (lease.Spec?.HolderIdentity != Identity)
            {
                return;
            }
            var preconditions = new V1DeleteOptions { Preconditions = new V1Preconditions { ResourceVersion = lease.Metadata.ResourceVersion } };
            await _kubernetes.CoordinationV1.DeleteNamespacedLeaseAsync(_options.LeaseName, _options.LeaseNamespace, preconditions, cancellationToken: timeout.Token);
            Log.Released(_logger, _options.LeaseNamespace, _options.LeaseName, Identity);
        }
        catch (HttpOperationException e) when (e.Response?.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Conflict)
        {
            // Already gone or already taken over: nothing to release.
        }
        catch (Exception e) when (e is HttpOperationException or HttpRequestException or OperationCanceledException)
        {
            // Best effort: the lease then simply expires after LeaseDuration.
            Log.ReleaseFailed(_logger, e);
        }
    }

    private async Task PauseAsync(CancellationToken stoppingToken)
    {
        try
        {
            await Task.Delay(_options.RetryPeriod, _time, stoppingToken);
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }

    /// <summary>The tokens and work of one leadership term.</summary>
    private sealed class Term : IDisposable
    {
        private readonly LeaseLeaderElection _owner;
        private readonly Func<CancellationToken, Task> _whileLeading;
        private readonly CancellationTokenSource _election = new();
        private readonly CancellationTokenSource _leadership = new();
        private readonly CancellationTokenRegistration _stoppingRegistration;
        private readonly CancellationToken _stopping;
        private readonly Lock _gate = new();
        private Task? _work;
        private int _stopped;

        public Term(LeaseLeaderElection owner, Func<CancellationToken, Task> whileLeading, CancellationToken stoppingToken)
        {
            _owner = owner;
            _whileLeading = whileLeading;
            _stopping = stoppingToken;
            _stoppingRegistration = stoppingToken.Register(OnStopping);
        }

        public CancellationToken ElectionToken => _election.Token;

        public void Start()
        {
            _owner._isLeader = true;
            Log.StartedLeading(_owner._logger, _owner._options.LeaseNamespace, _owner._options.LeaseName, _owner.Identity);
            lock (_gate)
            {
                _work = Task.Run(RunWorkAsync, CancellationToken.None);
            }
        }

        public void Stop()
        {
            _owner._isLeader = false;
            if (Interlocked.Exchange(ref _stopped, 1) != 0)
            {
                return;
            }
            // Logged before cancelling: the cancellation runs the work's callbacks (and inline continuations) on
            // this thread, so a slow or faulty one must not delay or swallow the record that leadership ended.
            if (_stopping.IsCancellationRequested)
            {
                Log.SteppedDown(_owner._logger, _owner._options.LeaseNamespace, _owner._options.LeaseName, _owner.Identity);
            }
            else
            {
                Log.StoppedLeading(_owner._logger, _owner._options.LeaseNamespace, _owner._options.LeaseName, _owner.Identity);
            }
            _leadership.Cancel();
        }

        public async Task<bool> CompleteAsync()
        {
            Task? work;
            lock (_gate)
            {
                work = _work;
            }
            if (work is null)
            {
                return false;
            }
            await work;
            return true;
        }

        public void Dispose()
        {
            _stoppingRegistration.Dispose();
            _election.Dispose();
            _leadership.Dispose();
        }

        private void OnStopping()
        {
            bool leading;
            lock (_gate)
            {
                leading = _work is not null;
            }
            // A leader keeps renewing while its work drains; the work's end cancels the election.
            if (!leading)
            {
                _election.Cancel();
            }
        }

        private async Task RunWorkAsync()
        {
            try
            {
                await _whileLeading(_leadership.Token);
            }
            catch (OperationCanceledException) when (_leadership.IsCancellationRequested)
            {
                // Leadership lost; the work was cancelled as intended.
            }
            catch (Exception e)
            {
                Log.WorkFailed(_owner._logger, e);
            }
            finally
            {
                // Whatever ended the work, end the term: on shutdown this releases the lease; otherwise campaign anew.
                _election.Cancel();
            }
        }
    }
}
