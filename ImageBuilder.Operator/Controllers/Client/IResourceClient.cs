using k8s;

namespace ImageBuilder.Operator.Controllers.Client;

/// <summary>
/// List and watch for one resource type, already scoped (namespace, label selector). The seam between
/// <see cref="ResourceInformer{T}"/> and the API, so the informer's reconnect logic can be driven by a
/// decorator in tests against the real apiserver.
/// </summary>
public interface IResourceClient<T>
{
    Task<ResourcePage<T>> ListAsync(string? continueToken, CancellationToken cancellationToken);

    /// <summary>
    /// Watches from <paramref name="resourceVersion"/>; the server closes the stream after <paramref name="timeout"/>.
    /// Error events (such as 410 Gone) are reported to <paramref name="onError"/> as <see cref="KubernetesException"/>.
    /// </summary>
    IAsyncEnumerable<(WatchEventType Type, T Object)> WatchAsync(string resourceVersion, TimeSpan timeout, Action<Exception> onError, CancellationToken cancellationToken);
}
