using ImageBuilder.Operator.Controllers.Client;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace ImageBuilder.Operator.Tests.Controllers.Client;

/// <summary>
/// A real <see cref="ResourceInformer{T}"/> on a <see cref="ScriptedResourceClient{T}"/> and a fake clock, running for the
/// length of a test: started on creation (waiting for its first list), stopped on dispose. Backoff is zero, so a
/// failure is followed at once by the next call.
/// </summary>
internal sealed class ScriptedInformer<T> : IAsyncDisposable
    where T : class, IKubernetesObject<V1ObjectMeta>
{
    public static readonly InformerSettings Settings = new()
    {
        ResyncPeriod = TimeSpan.Zero,
        WatchTimeout = TimeSpan.FromSeconds(60),
        WatchGrace = TimeSpan.FromSeconds(15),
        InitialBackoff = TimeSpan.Zero,
    };

    private readonly CancellationTokenSource _stop = new();
    private Task _run = Task.CompletedTask;

    private ScriptedInformer()
    {
        Informer = new ResourceInformer<T>(Server, Settings, Time, NullLogger<ResourceInformer<T>>.Instance);
    }

    public ScriptedResourceClient<T> Server { get; } = new();

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 12, 1, 21, 0, 0, TimeSpan.Zero));

    public ResourceInformer<T> Informer { get; }

    public static async Task<ScriptedInformer<T>> StartAsync()
    {
        var running = new ScriptedInformer<T>();
        running._run = running.Informer.RunAsync(running._stop.Token);
        await running.Server.AskedAsync();
        return running;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _run;
        _stop.Dispose();
    }
}
