using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace ImageBuilder.Operator.Requests;

/// <summary>
/// Deterministic ImageBuild names: a redelivered message must find the object it created, and
/// two different requests must not share one. The name hashes the canonical request (every field
/// that changes what is built or for whom, a hash of the token, the AMQP message id when the sender
/// set one) and a generation, which only grows when an identical request arrives after the earlier
/// build has finished (see <c>Bridge/ImageBuildWriter</c>).
/// </summary>
public static class BuildNaming
{
    public const string Prefix = "ib-";
    public const string TokenSecretSuffix = "-token";

    public static string NameFor(BuildRequest request, string? messageId, int generation = 0)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentOutOfRangeException.ThrowIfNegative(generation);
        var canonical = JsonSerializer.Serialize(new[]
        {
            "v1",
            request.ApplicationId ?? "",
            request.UserId,
            request.Connector,
            request.Repo,
            request.Type,
            request.Branch ?? "",
            request.Tag ?? "",
            request.Release ?? "",
            request.Commit ?? "",
            request.BuildPlan is null ? "" : JsonSerializer.Serialize(request.BuildPlan),
            Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(request.Token))),
            messageId ?? "",
            generation.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(canonical));
        return Prefix + Convert.ToHexStringLower(hash)[..16];
    }

    public static string TokenSecretName(string imageBuildName) => imageBuildName + TokenSecretSuffix;
}
