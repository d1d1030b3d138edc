using System.Net;
using ImageBuilder.Operator.Controllers.Client;

namespace ImageBuilder.Operator.Tests.Controllers.Client;

public sealed class BufferedResponseHandlerTests : IDisposable
{
    private const string Body = "{\"kind\":\"ImageBuild\"}";

    // As KubernetesClient sends: through the handler to the "network", headers first, the body left to the caller.
    private readonly HttpClient _client = new(new BufferedResponseHandler { InnerHandler = new AsyncOnlyBodyHandler() });

    public void Dispose() => _client.Dispose();

    private Task<HttpResponseMessage> GetAsync(string uri) => _client.GetAsync(new Uri(uri), HttpCompletionOption.ResponseHeadersRead);

    [Theory]
    [InlineData("https://127.0.0.1:6443/apis/imagebuilder.io/v1alpha1/namespaces/ns/imagebuilds/b1")]
    [InlineData("https://127.0.0.1:6443/api/v1/namespaces/ns/secrets?fieldManager=op")]
    [InlineData("https://127.0.0.1:6443/api/v1/namespaces/ns/pods?labelSelector=job-name%3Dj&watch=false")]
    public async Task SendAsync_SingleObjectAnswer_BodyReadableWithoutWaitingOnTheNetwork(string uri)
    {
        using var response = await GetAsync(uri);

        // What KubernetesClient does next: a synchronous read of the content stream, now from memory.
        using var reader = new StreamReader(response.Content.ReadAsStream());
        Assert.Equal(Body, reader.ReadToEnd());
    }

    [Theory]
    [InlineData("https://127.0.0.1:6443/apis/imagebuilder.io/v1alpha1/namespaces/ns/imagebuilds?watch=true&resourceVersion=5")]
    [InlineData("https://127.0.0.1:6443/api/v1/namespaces/ns/pods/p/log?follow=true")]
    [InlineData("https://127.0.0.1:6443/apis/imagebuilder.io/v1alpha1/imagebuilds?limit=500")]
    public async Task SendAsync_WatchFollowOrPagedList_LeftAStream(string uri)
    {
        using var response = await GetAsync(uri);

        // Not buffered: the body is still the network's stream, read as it arrives (here: only asynchronously).
        var stream = await response.Content.ReadAsStreamAsync();
        Assert.Throws<InvalidOperationException>(() => stream.ReadByte());
        var first = new byte[1];
        Assert.Equal(1, await stream.ReadAsync(first));
        Assert.Equal((byte)'{', first[0]);
    }

    /// <summary>Answers with a body that only async reads can take, as a socket that has not received it yet.</summary>
    private sealed class AsyncOnlyBodyHandler : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = new StreamContent(new AsyncOnlyStream(System.Text.Encoding.UTF8.GetBytes(Body))) });
    }

    private sealed class AsyncOnlyStream(byte[] bytes) : Stream
    {
        private int _position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => _position; set => throw new NotSupportedException(); }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var n = Math.Min(buffer.Length, bytes.Length - _position);
            bytes.AsMemory(_position, n).CopyTo(buffer);
            _position += n;
            return ValueTask.FromResult(n);
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override int Read(byte[] buffer, int offset, int count) => throw new InvalidOperationException("a synchronous read of a network stream");

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
