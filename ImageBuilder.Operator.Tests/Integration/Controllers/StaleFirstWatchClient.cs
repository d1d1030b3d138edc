using ImageBuilder.Operator.Controllers.Client;
using k8s;

namespace ImageBuilder.Operator.Tests.Integration.Controllers;

/// <summary>
/// Passes everything to the real client, except that the first watch asks for resourceVersion 1, long compacted
/// away: the apiserver answers 410 Gone, as it does to an informer that was disconnected for too long.
/// </summary>
public sealed class StaleFirstWatchClient<T>(IResourceClient<T> inner) : IResourceClient<T>
{
    private int _watches;

    public Task<ResourcePage<T>> ListAsync(string? continueToken, CancellationToken cancellationToken) =>
        inner.ListAsync(continueToken, cancellationToken);

    public IAsyncEnumerable<(WatchEventType Type, T Object)> WatchAsync(string resourceVersion, TimeSpan timeout, Action<Exception> onError, CancellationToken cancellationToken) =>
        inner.WatchAsync(Interlocked.Increment(ref _watches) == 1 ? "1" : resourceVersion, timeout, onError, cancellationToken);
}
