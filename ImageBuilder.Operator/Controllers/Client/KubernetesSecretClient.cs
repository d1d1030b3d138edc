using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace ImageBuilder.Operator.Controllers.Client;

/// <summary>Secrets by name (core group, which <see cref="KubernetesResourceClient{T}"/> does not serve); never listed or watched.</summary>
public sealed class KubernetesSecretClient(IKubernetes kubernetes) : IObjectReader<V1Secret>, IObjectCreator<V1Secret>, IObjectReplacer<V1Secret>, IObjectDeleter<V1Secret>
{
    public async Task<V1Secret?> GetAsync(string @namespace, string name, CancellationToken cancellationToken)
    {
        try
        {
            return await kubernetes.CoreV1.ReadNamespacedSecretAsync(name, @namespace, cancellationToken: cancellationToken);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    public Task<V1Secret> CreateAsync(string @namespace, V1Secret obj, CancellationToken cancellationToken) =>
        kubernetes.CoreV1.CreateNamespacedSecretAsync(obj, @namespace, cancellationToken: cancellationToken);

    public Task<V1Secret> ReplaceAsync(string @namespace, V1Secret obj, CancellationToken cancellationToken) =>
        kubernetes.CoreV1.ReplaceNamespacedSecretAsync(obj, obj.Metadata.Name, @namespace, cancellationToken: cancellationToken);

    public Task DeleteAsync(string @namespace, string name, CancellationToken cancellationToken) =>
        kubernetes.CoreV1.DeleteNamespacedSecretAsync(name, @namespace, cancellationToken: cancellationToken);

    public Task DeleteAsync(string @namespace, string name, string uid, CancellationToken cancellationToken) =>
        kubernetes.CoreV1.DeleteNamespacedSecretAsync(name, @namespace, DeleteOptions.Background(uid), cancellationToken: cancellationToken);
}
