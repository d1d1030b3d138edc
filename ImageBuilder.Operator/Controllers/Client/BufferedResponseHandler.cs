namespace ImageBuilder.Operator.Controllers.Client;

/// <summary>
/// Reads the body of a single-object answer (a GET, create, replace, status write, delete) asynchronously before
/// KubernetesClient sees it. The client asks for headers only (<c>ResponseHeadersRead</c>, which watches need) and then
/// deserializes the body with a synchronous read of the HTTP/2 stream: each such call held a thread-pool thread
/// blocked until the apiserver's DATA frames arrived (bench/profile.sh showed it under <c>KubernetesJson.Deserialize</c>
/// for every create and status write), and on 2 cores a few such calls at once starve the pool the watches and
/// reconciles run on. Buffered first, the same bytes deserialize from memory. Watches and log follows stream for
/// minutes and stay unbuffered; so do paged LISTs (<c>limit=</c>), whose pages can be megabytes and come rarely
/// (start-up and relists).
/// </summary>
public sealed class BufferedResponseHandler : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var response = await base.SendAsync(request, cancellationToken);
        if (!Streams(request.RequestUri))
        {
            try
            {
                await response.Content.LoadIntoBufferAsync(cancellationToken);
            }
            catch
            {
                response.Dispose();
                throw;
            }
        }
        return response;
    }

    /// <summary>True for an answer that must stay a stream: a watch, a log follow, a paged LIST.</summary>
    internal static bool Streams(Uri? uri)
    {
        if (uri is null)
        {
            return true;
        }
        var text = uri.IsAbsoluteUri ? uri.Query : uri.OriginalString;
        var query = text.IndexOf('?', StringComparison.Ordinal) is var at and >= 0 ? text[(at + 1)..] : "";
        foreach (var pair in query.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            var name = equals < 0 ? pair : pair[..equals];
            var value = equals < 0 ? "" : pair[(equals + 1)..];
            if (name is "limit" || (name is "watch" or "follow" && !string.Equals(value, "false", StringComparison.OrdinalIgnoreCase) && value != "0"))
            {
                return true;
            }
        }
        return false;
    }
}
