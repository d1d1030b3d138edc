using System.Globalization;
using ImageBuilder.Operator.RabbitMq;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace ImageBuilder.Operator.Dashboard;

/// <summary>
/// Depths of the operator's queues by passive declare on its own broker connection: no management API, so no
/// second set of credentials. Null <paramref name="connection"/> means RabbitMQ is switched off.
/// </summary>
public sealed class QueueDepths(TimeProvider time, RabbitMqConnection? connection = null)
{
    private const ushort NotFound = 404;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(3);

    public async Task<QueuesView> ReadAsync(CancellationToken cancellationToken)
    {
        if (connection is null)
        {
            return new QueuesView(false, null, [], time.GetUtcNow());
        }
        var options = connection.Options;
        var tiers = connection.DelayTiers;
        var queues = new List<(string Role, string Name)> { ("build", options.BuildQueue), ("fail", options.FailQueue) };
        queues.AddRange(tiers.Tiers.Select(t => ($"fail, delay {Delay(t)}", tiers.QueueName(t))));
        queues.Add(("container manager", options.ContainerManagerQueue));
        queues.Add(("Kusanali", options.KusanaliQueue));

        using var timeout = new CancellationTokenSource(Timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        var views = new List<QueueView>();
        IChannel? channel = null;
        try
        {
            foreach (var (role, name) in queues)
            {
                try
                {
                    channel ??= await (await connection.GetAsync(linked.Token)).CreateChannelAsync(cancellationToken: linked.Token);
                    var ok = await channel.QueueDeclarePassiveAsync(name, linked.Token);
                    views.Add(new QueueView(role, name, ok.MessageCount, ok.ConsumerCount, null));
                }
                catch (OperationInterruptedException e) when (e.ShutdownReason?.ReplyCode == NotFound)
                {
                    // A failed passive declare closes its channel: the next queue gets a new one.
                    await DisposeAsync(channel);
                    channel = null;
                    views.Add(new QueueView(role, name, null, null, "not declared"));
                }
                catch (Exception e) when (e is OperationCanceledException or OperationInterruptedException or BrokerUnreachableException or AlreadyClosedException)
                {
                    views.Add(new QueueView(role, name, null, null, "the broker did not answer"));
                }
            }
        }
        finally
        {
            await DisposeAsync(channel);
        }
        return new QueuesView(true, connection.Endpoint, views, time.GetUtcNow());
    }

    private static string Delay(TimeSpan tier) => tier.TotalSeconds < 60
        ? string.Create(CultureInfo.InvariantCulture, $"{tier.TotalSeconds:0.###} s")
        : string.Create(CultureInfo.InvariantCulture, $"{tier.TotalMinutes:0.###} min");

    private static async Task DisposeAsync(IChannel? channel)
    {
        if (channel is null)
        {
            return;
        }
        try
        {
            await channel.DisposeAsync();
        }
        catch (Exception e) when (e is OperationInterruptedException or AlreadyClosedException)
        {
            // Already closed by the broker; nothing more to release.
        }
    }
}
