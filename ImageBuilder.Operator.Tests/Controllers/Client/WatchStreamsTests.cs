using ImageBuilder.Operator.Controllers.Client;
using k8s;
using Microsoft.Extensions.Time.Testing;

namespace ImageBuilder.Operator.Tests.Controllers.Client;

public sealed class WatchStreamsTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(1);
    private readonly FakeTimeProvider _time = new();

    /// <summary>
    /// A watch as KubernetesClient gives it: the request goes out when the watch is asked for, and the server's clock
    /// starts then. Opening returns only after <paramref name="openTakes"/> (a busy machine); the server ends the watch
    /// <paramref name="endsAfter"/> after the request, with <paramref name="end"/>, having sent <paramref name="events"/> events.
    /// </summary>
    private Func<IAsyncEnumerable<(WatchEventType, string)>> Watch(TimeSpan openTakes, TimeSpan endsAfter, Exception end, int events = 0) => () =>
    {
        _time.Advance(openTakes);
        return Events();

        async IAsyncEnumerable<(WatchEventType, string)> Events()
        {
            for (var i = 0; i < events; i++)
            {
                yield return (WatchEventType.Modified, $"event {i}");
            }
            await Task.Yield();
            _time.Advance(endsAfter - openTakes);
            throw end;
        }
    };

    private async Task<List<string>> ReadAsync(Func<IAsyncEnumerable<(WatchEventType, string)>> open)
    {
        var seen = new List<string>();
        await foreach (var (_, obj) in WatchStreams.EndedOnSchedule(open, Timeout, _time, CancellationToken.None))
        {
            seen.Add(obj);
        }
        return seen;
    }

    [Theory]
    [InlineData(0)]
    [InlineData(80)] // failed a test on a busy machine while the time was read after opening
    public async Task NoEventUntilTheServerEndsOnSchedule_EndsQuietly(int openTakesMs)
    {
        var open = Watch(TimeSpan.FromMilliseconds(openTakesMs), Timeout, new HttpRequestException("Error while copying content to a stream."));

        Assert.Empty(await ReadAsync(open));
    }

    [Fact]
    public async Task TransportErrorBeforeTheTimeout_PassesThrough()
    {
        var open = Watch(TimeSpan.Zero, Timeout / 2, new HttpRequestException("connection reset"));

        await Assert.ThrowsAsync<HttpRequestException>(() => ReadAsync(open));
    }

    [Fact]
    public async Task TransportErrorAfterEvents_PassesThrough()
    {
        // KubernetesClient only fails the first read that way; once events came, an error is a real one.
        var open = Watch(TimeSpan.Zero, Timeout, new HttpRequestException("connection reset"), events: 2);

        var error = await Assert.ThrowsAsync<HttpRequestException>(() => ReadAsync(open));
        Assert.Equal("connection reset", error.Message);
    }

    [Fact]
    public async Task OtherErrorAtTheTimeout_PassesThrough()
    {
        var open = Watch(TimeSpan.Zero, Timeout, new InvalidOperationException("not a transport error"));

        await Assert.ThrowsAsync<InvalidOperationException>(() => ReadAsync(open));
    }
}
