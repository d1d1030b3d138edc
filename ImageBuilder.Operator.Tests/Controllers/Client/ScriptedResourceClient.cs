using System.Net;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using ImageBuilder.Operator.Controllers.Client;
using k8s;
using k8s.Models;

namespace ImageBuilder.Operator.Tests.Controllers.Client;

/// <summary>
/// List and watch answered from what the test scripts, so an informer's own list/watch loop runs in memory against
/// its seam (<see cref="IResourceClient{T}"/>, our interface, as <c>InMemoryObjects</c> is for the steps): each list
/// returns what <see cref="ListReturns"/> set; the watch yields what <see cref="Send"/> queued until <see cref="Gone"/>
/// ends it as the apiserver's 410 does, after which the informer lists again.
/// </summary>
internal sealed class ScriptedResourceClient<T> : IResourceClient<T>
{
    private readonly Channel<(WatchEventType Type, T Object)?> _events = Channel.CreateUnbounded<(WatchEventType Type, T Object)?>();
    private IReadOnlyList<T> _listed = [];

    public void ListReturns(params T[] objects) => Volatile.Write(ref _listed, objects);

    public void Send(WatchEventType type, T obj) => _events.Writer.TryWrite((type, obj));

    public void Gone() => _events.Writer.TryWrite(null);

    public Task<ResourcePage<T>> ListAsync(string? continueToken, CancellationToken cancellationToken) =>
        Task.FromResult(new ResourcePage<T>(Volatile.Read(ref _listed), "1", null));

    public async IAsyncEnumerable<(WatchEventType Type, T Object)> WatchAsync(
        string resourceVersion, TimeSpan timeout, Action<Exception> onError, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var next in _events.Reader.ReadAllAsync(cancellationToken))
        {
            if (next is not { } change)
            {
                onError(new KubernetesException(new V1Status { Code = (int)HttpStatusCode.Gone, Reason = "Expired" }));
                yield break;
            }
            yield return change;
        }
    }
}
