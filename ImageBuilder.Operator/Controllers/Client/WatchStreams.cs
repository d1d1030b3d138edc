using System.Runtime.CompilerServices;
using k8s;

namespace ImageBuilder.Operator.Controllers.Client;

/// <summary>What every <see cref="IResourceClient{T}"/> over KubernetesClient does to the watch stream it gets.</summary>
internal static class WatchStreams
{
    /// <summary>
    /// The events of the watch <paramref name="open"/> starts, ended quietly where the server ended the watch on schedule:
    /// KubernetesClient peeks the first line before it hands the watch over, so a watch the server ends after
    /// <paramref name="timeout"/> without a single event surfaces as a transport error. Any other error passes through.
    /// </summary>
    public static async IAsyncEnumerable<(WatchEventType Type, TObject Object)> EndedOnSchedule<TObject>(
        Func<IAsyncEnumerable<(WatchEventType Type, TObject Object)>> open, TimeSpan timeout, TimeProvider time, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // Read before the watch is asked for: KubernetesClient sends the request at once, and the server's clock starts
        // when it arrives. Read after, a thread descheduled between the two could make a watch ended on schedule look
        // early (and so failed).
        var started = time.GetTimestamp();
        var any = false;
        await using var enumerator = open().GetAsyncEnumerator(cancellationToken);
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
