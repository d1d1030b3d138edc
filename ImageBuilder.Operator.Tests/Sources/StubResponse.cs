using System.Net;
using Octokit;

namespace ImageBuilder.Operator.Tests.Sources;

/// <summary>An Octokit response as the HTTP layer would hand it over (Octokit's own Response type is internal).</summary>
internal sealed class StubResponse(HttpStatusCode statusCode, string body, IReadOnlyDictionary<string, string> headers) : IResponse
{
    public object Body { get; } = body;
    public IReadOnlyDictionary<string, string> Headers { get; } = headers;
    public ApiInfo ApiInfo => null!;
    public HttpStatusCode StatusCode { get; } = statusCode;
    public string ContentType => "application/json";
}
