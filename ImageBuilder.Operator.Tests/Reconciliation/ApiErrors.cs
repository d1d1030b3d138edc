using System.Net;
using System.Text.Json;
using k8s.Autorest;

namespace ImageBuilder.Operator.Tests.Reconciliation;

/// <summary>The apiserver's failure answers as the client surfaces them (the seams' documented error contract).</summary>
internal static class ApiErrors
{
    public static HttpOperationException Status(HttpStatusCode code, string message = "") => new($"Operation returned an invalid status code '{code}'")
    {
        // The client's V1Status converter reads only: the body is written as the apiserver writes it.
        Response = new HttpResponseMessageWrapper(new HttpResponseMessage(code), JsonSerializer.Serialize(new
        {
            apiVersion = "v1",
            kind = "Status",
            status = "Failure",
            code = (int)code,
            reason = code.ToString(),
            message,
        })),
    };
}
