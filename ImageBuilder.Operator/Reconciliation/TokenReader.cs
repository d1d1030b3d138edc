using System.Text;
using ImageBuilder.Operator.Api;
using ImageBuilder.Operator.Controllers.Client;
using k8s.Models;

namespace ImageBuilder.Operator.Reconciliation;

/// <summary>Reads the user's token from the Secret the ImageBuild names. The value is kept in memory only.</summary>
public sealed class TokenReader(IObjectReader<V1Secret> secrets)
{
    /// <summary>
    /// The token (null when the build names no Secret), or why it cannot be read yet: the Secret or its key
    /// is missing. That is not final: objects applied together arrive in any order, so the caller waits.
    /// </summary>
    public async Task<(string? Token, string? Missing)> ReadAsync(ImageBuild build, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(build);
        var reference = build.Spec.Source.TokenSecretRef;
        if (reference is null || string.IsNullOrEmpty(reference.Name))
        {
            return (null, null);
        }
        var key = string.IsNullOrEmpty(reference.Key) ? "token" : reference.Key;
        var secret = await secrets.GetAsync(build.Metadata.NamespaceProperty, reference.Name, cancellationToken);
        if (secret is null)
        {
            return (null, $"The token Secret {reference.Name} (key '{key}') does not exist in namespace {build.Metadata.NamespaceProperty}.");
        }
        if (secret.Data is not null && secret.Data.TryGetValue(key, out var bytes) && bytes.Length > 0)
        {
            return (Encoding.UTF8.GetString(bytes).Trim(), null);
        }
        return (null, $"The token Secret {reference.Name} in namespace {build.Metadata.NamespaceProperty} has no key '{key}' holding the token.");
    }
}
