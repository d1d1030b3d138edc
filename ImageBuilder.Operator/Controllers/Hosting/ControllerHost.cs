using ImageBuilder.Operator.Controllers.Client;
using ImageBuilder.Operator.Controllers.Election;
using ImageBuilder.Operator.Controllers.Queues;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Options;

namespace ImageBuilder.Operator.Controllers.Hosting;

/// <summary>
/// Wires the controller: the informers of <typeparamref name="TEntity"/> and of the types it watches
/// (<see cref="IControllerWatch{TPrimary}"/>) feed one work queue on every replica (so a new leader starts with a
/// warm cache); only the leader runs the workers, which resolve <see cref="IReconciler{TEntity}"/> in a scope per
/// reconcile. On shutdown the workers stop taking keys and in-flight reconciles get
/// <see cref="ControllerOptions.ShutdownTimeout"/> to finish.
/// </summary>
public sealed class ControllerHost<TEntity> : BackgroundService
    where TEntity : class, IKubernetesObject<V1ObjectMeta>
{
    private readonly ResourceInformer<TEntity> _entities;
    private readonly IInformer[] _watched;
    private readonly ILeaderElection _election;
    private readonly IServiceScopeFactory _scopes;
    private readonly ControllerOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ReconcileWorkers _workers;

    public ControllerHost(
        ResourceInformer<TEntity> entities,
        ILeaderElection election,
        IServiceScopeFactory scopes,
        IOptions<ControllerOptions> options,
        TimeProvider time,
        ILogger<ControllerHost<TEntity>> logger,
        IEnumerable<IControllerWatch<TEntity>>? watches = null)
    {
        ArgumentNullException.ThrowIfNull(entities);
        ArgumentNullException.ThrowIfNull(election);
        ArgumentNullException.ThrowIfNull(scopes);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(logger);
        _entities = entities;
        _election = election;
        _scopes = scopes;
        _options = options.Value;
        _time = time;
        _logger = logger;
        Queue = new WorkQueue(
            RateLimiters.Default(_options.BackoffBase, _options.BackoffMax, _options.RetriesPerSecond, _options.RetryBurst, time), time);
        _workers = new ReconcileWorkers(Queue, ReconcileAsync, logger);
        entities.AddHandler(new EnqueueOnChange<TEntity>(Queue, ChangePredicates.SpecOrMetadataChanged));
        var attached = (watches ?? []).ToList();
        foreach (var watch in attached)
        {
            watch.Attach(Queue);
        }
        // Several watches may share an informer (one per type); each runs once. The primary's runs anyway.
        _watched = [.. attached.Select(w => w.Informer).Where(i => !ReferenceEquals(i, entities)).Distinct()];
    }

    /// <summary>The controller's queue; other roles may <see cref="WorkQueue.Add"/> a key to have it reconciled soon.</summary>
    public WorkQueue Queue { get; }

    public override void Dispose()
    {
        Queue.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        EnsureReconcilerRegistered();
        using var informersStop = new CancellationTokenSource();
        IInformer[] all = [_entities, .. _watched];
        var informers = Task.WhenAll(all.Select(i => i.RunAsync(informersStop.Token)));
        try
        {
            await Task.WhenAll(all.Select(i => i.WaitForSyncAsync(stoppingToken)));
            var counts = string.Join(", ", all.Select(i => $"{i.Count} {i.Kind}"));
            Log.CachesSynced(_logger, counts);
            await _election.RunAsync(leadership => LeadAsync(leadership, stoppingToken), stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutdown before the caches synced.
        }
        finally
        {
            // Informers stop last: a draining reconcile may still read the cache.
            await informersStop.CancelAsync();
            await informers;
        }
    }

    private async Task LeadAsync(CancellationToken leadership, CancellationToken stoppingToken)
    {
        // Keys dropped when an earlier term was aborted are covered by queuing every cached object once.
        foreach (var obj in _entities.List())
        {
            Queue.Add(ObjectKey.From(obj));
        }
        using var abort = CancellationTokenSource.CreateLinkedTokenSource(leadership);
        var work = _workers.RunAsync(_options.Workers, stoppingToken, abort.Token);
        try
        {
            await work.WaitAsync(stoppingToken);
            return;
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            Log.Draining(_logger, _options.ShutdownTimeout);
        }
        var deadline = Task.Delay(_options.ShutdownTimeout, _time, abort.Token);
        if (await Task.WhenAny(work, deadline) != work && !abort.IsCancellationRequested)
        {
            Log.DrainTimedOut(_logger);
            await abort.CancelAsync();
        }
        await work;
    }

    /// <summary>Fails start-up with a clear message rather than failing every reconcile later.</summary>
    private void EnsureReconcilerRegistered()
    {
        using var scope = _scopes.CreateScope();
        if (scope.ServiceProvider.GetService<IReconciler<TEntity>>() is null)
        {
            throw new InvalidOperationException(
                $"No IReconciler<{typeof(TEntity).Name}> is registered: register the reconciler (any lifetime) next to AddControllerRuntime<{typeof(TEntity).Name}>.");
        }
    }

    private async Task<ReconcileResult> ReconcileAsync(ObjectKey key, CancellationToken cancellationToken)
    {
        await using var scope = _scopes.CreateAsyncScope();
        var reconciler = scope.ServiceProvider.GetRequiredService<IReconciler<TEntity>>();
        return await reconciler.ReconcileAsync(key, cancellationToken);
    }
}
