using System.Net;
using System.Text;
using ImageBuilder.Operator.Api;
using k8s;
using k8s.Autorest;

namespace ImageBuilder.Operator.Reconciliation;

/// <summary>Reads the user's token from the Secret the ImageBuild names. The value is kept in memory only.</summary>
public sealed class TokenReader(IKubernetes kubernetes)
{
    /// <summary>The token, null when the build names no Secret; a user failure when the Secret or key is missing.</summary>
    public async Task<(string? Token, BuildFailure? Failure)> ReadAsync(ImageBuild build, CancellationToken cancellationToken)
    {
        var reference = build.Spec.Source.TokenSecretRef;
        if (reference is null || string.IsNullOrEmpty(reference.Name))
        {
            return (null, null);
        }
        try
        {
            var secret = await kubernetes.CoreV1.ReadNamespacedSecretAsync(reference.Name, build.Metadata.NamespaceProperty, cancellationToken: cancellationToken);
            var key = string.IsNullOrEmpty(reference.Key) ? "token" : reference.Key;
            if (secret.Data is not null && secret.Data.TryGetValue(key, out var bytes) && bytes.Length > 0)
            {
                return (Encoding.UTF8.GetString(bytes).Trim(), null);
            }
            return (null, Missing($"The Secret {reference.Name} has no key '{key}' holding the token."));
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return (null, Missing($"The token Secret {reference.Name} does not exist in namespace {build.Metadata.NamespaceProperty}."));
        }
    }

    private static BuildFailure Missing(string message) =>
        new() { Fault = Faults.User, Reason = Reasons.TokenSecretMissing, Message = message };
}
