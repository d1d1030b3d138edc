using System.Net;
using ImageBuilder.Operator.Api;
using ImageBuilder.Operator.Builds;
using ImageBuilder.Operator.Options;
using k8s;
using k8s.Autorest;
using Microsoft.Extensions.Options;

namespace ImageBuilder.Operator.Reconciliation;

/// <summary>
/// Keeps a dockerconfigjson Secret with the operator's registry credentials in each namespace that
/// runs builds, so a Job mounts credentials instead of carrying them in its spec.
/// </summary>
public sealed class RegistrySecrets(IKubernetes kubernetes, IOptions<BuildOptions> options)
{
    private readonly BuildOptions _options = options.Value;

    /// <summary>Creates or refreshes the Secret; returns its name.</summary>
    public async Task<string> EnsureAsync(string ns, CancellationToken cancellationToken)
    {
        var secret = RegistrySecret.Create(_options.RegistrySecretName, ns, _options.Registry, _options.RegistryUsername ?? "", _options.RegistryPassword ?? "");
        secret.Metadata.Labels ??= new Dictionary<string, string>();
        secret.Metadata.Labels[Annotations.ManagedByLabel] = Annotations.ManagedByValue;
        try
        {
            var existing = await kubernetes.CoreV1.ReadNamespacedSecretAsync(secret.Metadata.Name, ns, cancellationToken: cancellationToken);
            if (existing.Data is not null && existing.Data.TryGetValue(".dockerconfigjson", out var current) && current.SequenceEqual(secret.Data[".dockerconfigjson"]))
            {
                return secret.Metadata.Name;
            }
            secret.Metadata.ResourceVersion = existing.Metadata.ResourceVersion;
            await kubernetes.CoreV1.ReplaceNamespacedSecretAsync(secret, secret.Metadata.Name, ns, cancellationToken: cancellationToken);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            await CreateAsync(secret, ns, cancellationToken);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Conflict)
        {
            // Another reconcile refreshed it between our read and write; both write the same content.
        }
        return secret.Metadata.Name;
    }

    private async Task CreateAsync(k8s.Models.V1Secret secret, string ns, CancellationToken cancellationToken)
    {
        try
        {
            await kubernetes.CoreV1.CreateNamespacedSecretAsync(secret, ns, cancellationToken: cancellationToken);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Conflict)
        {
            // The first builds of a namespace race to create it; the loser finds it made, with the same content.
        }
    }
}
