using System.Runtime.CompilerServices;
using k8s;

namespace ImageBuilder.Operator.Controllers.Client;

/// <summary>What every <see cref="IResourceClient{T}"/> over KubernetesClient does to the watch stream it gets.</summary>
internal static class WatchStreams
{
    /// <summary>
    /// <paramref name="events"/>, ended quietly where the server ended the watch on schedule: KubernetesClient peeks the
    /// first line before it hands the watch over, so a watch the server ends after <paramref name="timeout"/> without a
    /// single event surfaces as a transport error. Any other error passes through.
    /// </summary>
    public static async IAsyncEnumerable<(WatchEventType Type, TObject Object)> EndedOnSchedule<TObject>(
        IAsyncEnumerable<(WatchEventType Type, TObject Object)> events, TimeSpan timeout, TimeProvider time, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        var any = false;
        await using var enumerator = events.GetAsyncEnumerator(cancellationToken);
        while (true)
        {
            bool more;
            try
            {
                more = await enumerator.MoveNextAsync();
            }
            catch (HttpRequestException) when (!any && time.GetElapsedTime(started) >= timeout)
            {
                more = false;
            }
            if (!more)
            {
                yield break;
            }
            any = true;
            yield return enumerator.Current;
        }
    }
}
