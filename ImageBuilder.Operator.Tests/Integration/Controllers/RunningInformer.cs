using ImageBuilder.Operator.Controllers.Client;
using k8s;
using k8s.Models;

namespace ImageBuilder.Operator.Tests.Integration.Controllers;

/// <summary>Runs an informer for the length of a test: started and synced on creation, stopped on dispose.</summary>
public sealed class RunningInformer : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private Task _run = Task.CompletedTask;

    public static async Task<RunningInformer> StartAsync<T>(ResourceInformer<T> informer)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        var running = new RunningInformer();
        running._run = informer.RunAsync(running._stop.Token);
        using var guard = new CancellationTokenSource(RecordingHandler<T>.Guard);
        await informer.WaitForSyncAsync(guard.Token);
        return running;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _run;
        _stop.Dispose();
    }
}
