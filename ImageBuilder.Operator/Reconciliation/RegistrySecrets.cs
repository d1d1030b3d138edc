using System.Net;
using ImageBuilder.Operator.Api;
using ImageBuilder.Operator.Builds;
using ImageBuilder.Operator.Controllers.Client;
using ImageBuilder.Operator.Options;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Options;

namespace ImageBuilder.Operator.Reconciliation;

/// <summary>
/// Keeps a dockerconfigjson Secret with the operator's registry credentials in each namespace that
/// runs builds, so a Job mounts credentials instead of carrying them in its spec.
/// </summary>
public sealed class RegistrySecrets(
    IObjectReader<V1Secret> secrets,
    IObjectCreator<V1Secret> creator,
    IObjectReplacer<V1Secret> replacer,
    IOptions<BuildOptions> options)
{
    private readonly BuildOptions _options = options.Value;

    /// <summary>Creates or refreshes the Secret; returns its name.</summary>
    public async Task<string> EnsureAsync(string ns, CancellationToken cancellationToken)
    {
        var secret = RegistrySecret.Create(_options.RegistrySecretName, ns, _options.Registry, _options.RegistryUsername ?? "", _options.RegistryPassword ?? "");
        secret.Metadata.Labels ??= new Dictionary<string, string>();
        secret.Metadata.Labels[Annotations.ManagedByLabel] = Annotations.ManagedByValue;
        var existing = await secrets.GetAsync(ns, secret.Metadata.Name, cancellationToken);
        if (existing is null)
        {
            await CreateAsync(ns, secret, cancellationToken);
            return secret.Metadata.Name;
        }
        if (existing.Data is not null && existing.Data.TryGetValue(".dockerconfigjson", out var current) && current.SequenceEqual(secret.Data[".dockerconfigjson"]))
        {
            return secret.Metadata.Name;
        }
        secret.Metadata.ResourceVersion = existing.Metadata.ResourceVersion;
        try
        {
            await replacer.ReplaceAsync(ns, secret, cancellationToken);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            // Deleted between the read and the write.
            secret.Metadata.ResourceVersion = null;
            await CreateAsync(ns, secret, cancellationToken);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Conflict)
        {
            // Another reconcile refreshed it between our read and write; both write the same content.
        }
        return secret.Metadata.Name;
    }

    private async Task CreateAsync(string ns, V1Secret secret, CancellationToken cancellationToken)
    {
        try
        {
            await creator.CreateAsync(ns, secret, cancellationToken);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Conflict)
        {
            // The first builds of a namespace race to create it; the loser finds it made, with the same content.
        }
    }
}
