using ImageBuilder.Operator.Options;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Retry;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace ImageBuilder.Operator.Messaging;

/// <summary>
/// The process's one broker connection, opened on first use. Opening retries until the broker
/// answers (the operator may start before it) and then declares the topology once; after that the
/// client's automatic recovery reconnects and restores channels, queues and consumers.
/// </summary>
public sealed class RabbitMqConnection : IAsyncDisposable
{
    private readonly RabbitMqOptions _options;
    private readonly QueueTopology _topology;
    private readonly ILogger<RabbitMqConnection> _logger;
    private readonly ResiliencePipeline _connectRetry;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private IConnection? _connection;

    public RabbitMqConnection(IOptions<RabbitMqOptions> options, IOptions<RetryOptions> retry, TimeProvider timeProvider, ILogger<RabbitMqConnection> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(retry);
        _options = options.Value;
        _logger = logger;
        _topology = new QueueTopology(_options, retry.Value, logger);
        _connectRetry = new ResiliencePipelineBuilder { TimeProvider = timeProvider }
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<BrokerUnreachableException>().Handle<ConnectFailureException>().Handle<IOException>(),
                MaxRetryAttempts = int.MaxValue,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = TimeSpan.FromSeconds(1),
                MaxDelay = _options.MaxConnectDelay,
                OnRetry = args =>
                {
                    Log.BrokerUnreachable(_logger, Endpoint, args.AttemptNumber + 1, args.RetryDelay, args.Outcome.Exception?.GetBaseException().Message ?? "");
                    return ValueTask.CompletedTask;
                },
            })
            .Build();
    }

    public RabbitMqOptions Options => _options;

    public DelayTiers DelayTiers => _topology.DelayTiers;

    /// <summary>host:port/vhost without credentials, for log lines.</summary>
    public string Endpoint => RedactedEndpoint(_options.Uri);

    /// <summary>
    /// True unless the broker connection is down (automatic recovery is still trying). Before the
    /// first use there is nothing to be down, so it is true then too.
    /// </summary>
    public bool IsUsable => _connection is null || _connection.IsOpen;

    public async Task<IConnection> GetAsync(CancellationToken cancellationToken)
    {
        if (_connection is { } ready)
        {
            return ready;
        }
        await _gate.WaitAsync(cancellationToken);
        try
        {
            return _connection ??= await OpenAsync(cancellationToken);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Declares one of the operator's queues again, after someone deleted it.</summary>
    public async Task RedeclareAsync(string queue, CancellationToken cancellationToken)
    {
        var connection = await GetAsync(cancellationToken);
        foreach (var declaration in _topology.Queues().Where(q => q.Name == queue))
        {
            await _topology.DeclareOneAsync(connection, declaration, cancellationToken);
        }
    }

    /// <summary>
    /// A channel for one consumer, with manual acks in mind and the configured prefetch; the client runs
    /// <paramref name="dispatchConcurrency"/> dispatch loops on it (at most the prefetch can be in flight anyway).
    /// </summary>
    public async Task<IChannel> CreateConsumerChannelAsync(ushort dispatchConcurrency, CancellationToken cancellationToken)
    {
        var connection = await GetAsync(cancellationToken);
        var channel = await connection.CreateChannelAsync(
            new CreateChannelOptions(publisherConfirmationsEnabled: false, publisherConfirmationTrackingEnabled: false,
                consumerDispatchConcurrency: Math.Max((ushort)1, Math.Min(dispatchConcurrency, (ushort)_options.Prefetch))),
            cancellationToken);
        await channel.BasicQosAsync(0, (ushort)_options.Prefetch, global: false, cancellationToken);
        return channel;
    }

    /// <summary>A channel whose publishes complete only once the broker confirmed them (or returned them).</summary>
    public async Task<IChannel> CreatePublisherChannelAsync(CancellationToken cancellationToken)
    {
        var connection = await GetAsync(cancellationToken);
        // The options constructor installs no limiter unless given one; an explicit one bounds confirms in flight.
        var channelOptions = new CreateChannelOptions(
            publisherConfirmationsEnabled: true,
            publisherConfirmationTrackingEnabled: true,
            outstandingPublisherConfirmationsRateLimiter: new ThrottlingRateLimiter(_options.MaxOutstandingConfirms));
        return await connection.CreateChannelAsync(channelOptions, cancellationToken);
    }

    public static ConnectionFactory CreateFactory(Uri uri, string clientName) => new()
    {
        Uri = uri,
        ClientProvidedName = clientName,
        AutomaticRecoveryEnabled = true,
        TopologyRecoveryEnabled = true,
        NetworkRecoveryInterval = TimeSpan.FromSeconds(2),
        RequestedHeartbeat = TimeSpan.FromSeconds(30),
    };

    public static string RedactedEndpoint(Uri uri)
    {
        ArgumentNullException.ThrowIfNull(uri);
        return $"{uri.Scheme}://{uri.Host}:{(uri.IsDefaultPort ? 5672 : uri.Port)}{uri.AbsolutePath}";
    }

    private async Task<IConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var factory = CreateFactory(_options.Uri, "image-builder-operator");
        var connection = await _connectRetry.ExecuteAsync(async ct => await factory.CreateConnectionAsync(ct), cancellationToken);
        try
        {
            await _topology.DeclareAsync(connection, cancellationToken);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
        connection.ConnectionShutdownAsync += (_, args) =>
        {
            Log.ConnectionLost(_logger, Endpoint, args.ReplyText);
            return Task.CompletedTask;
        };
        connection.RecoverySucceededAsync += (_, _) =>
        {
            Log.ConnectionRecovered(_logger, Endpoint);
            return Task.CompletedTask;
        };
        Log.Connected(_logger, Endpoint);
        return connection;
    }

    public async ValueTask DisposeAsync()
    {
        if (_connection is { } connection)
        {
            _connection = null;
            await connection.DisposeAsync();
        }
        _gate.Dispose();
    }
}
