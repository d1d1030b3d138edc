using System.Text.Json;
using ImageBuilder.Testing.Queues;

namespace ImageBuilder.Operator.Tests.Integration.EndToEnd;

/// <summary>
/// The platform's side of the queues of one release: queue names unique to the run, publishing as the
/// backend does, and reading the responses the container manager and Kusanali would get (through <see cref="TestQueues"/>).
/// </summary>
public sealed class BackendQueues : IAsyncDisposable
{
    private readonly TestQueues _queues;

    public BackendQueues(Uri amqp, string prefix)
        : this(amqp, prefix + ".build", prefix + ".fail", prefix + ".cm", prefix + ".kusanali", owned: true)
    {
    }

    private BackendQueues(Uri amqp, string build, string fail, string containerManager, string kusanali, bool owned)
    {
        _queues = new TestQueues(amqp, "imagebuilder-e2e-backend");
        Build = build;
        Fail = fail;
        ContainerManager = containerManager;
        Kusanali = kusanali;
        Owned = owned;
    }

    /// <summary>
    /// The operator's default queue names (docs/contracts.md), which <c>make up</c>'s release consumes. Not owned:
    /// a developer's own release may use them too, so they are never deleted.
    /// </summary>
    public static BackendQueues Defaults(Uri amqp) =>
        new(amqp, "image-builder.build", "image-builder.fail", "container-manager.images", "kusanali.notifications", owned: false);

    public string Build { get; }
    public string Fail { get; }
    public string ContainerManager { get; }
    public string Kusanali { get; }
    /// <summary>Whether the queues are unique to this run, and so deleted at its end.</summary>
    public bool Owned { get; }

    /// <summary>The delay queues the operator declares for <see cref="Fail"/> (DelayTiers.QueueName), for clean-up.</summary>
    public IReadOnlyList<string> DelayQueues(IEnumerable<int> tierSeconds) => tierSeconds.Select(s => $"{Fail}.delay.{s}s").ToList();

    /// <summary>As the backend publishes a BuildRequest: default exchange, routing key = build queue, JSON, not persistent.</summary>
    public Task PublishLikeBackendAsync(object request) => _queues.PublishLikeBackendAsync(Build, JsonSerializer.Serialize(request));

    /// <summary>The next message on <paramref name="queue"/> as JSON (acked), waiting up to <paramref name="within"/>.</summary>
    public async Task<JsonElement> TakeAsync(string queue, TimeSpan within) => (await _queues.TakeJsonAsync(queue, 1, within))[0];

    /// <summary>Consumers and ready messages of <paramref name="queue"/>; zeros while the queue does not exist yet.</summary>
    public Task<(uint Consumers, uint Ready)> CountsAsync(string queue) => _queues.CountsAsync(queue);

    /// <summary>Deletes <paramref name="queues"/>; each on its own channel, so one failure does not stop the rest.</summary>
    public Task DeleteAsync(IEnumerable<string> queues) => _queues.DeleteAsync(queues);

    public ValueTask DisposeAsync() => _queues.DisposeAsync();
}
