using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace ImageBuilder.Operator.Controllers.Client;

/// <summary>ConfigMaps by name, live (core group, which <see cref="KubernetesResourceClient{T}"/> does not serve); never listed or watched.</summary>
public sealed class KubernetesConfigMapClient(IKubernetes kubernetes) : IObjectReader<V1ConfigMap>, IObjectCreator<V1ConfigMap>, IObjectReplacer<V1ConfigMap>
{
    public async Task<V1ConfigMap?> GetAsync(string @namespace, string name, CancellationToken cancellationToken)
    {
        try
        {
            return await kubernetes.CoreV1.ReadNamespacedConfigMapAsync(name, @namespace, cancellationToken: cancellationToken);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    public Task<V1ConfigMap> CreateAsync(string @namespace, V1ConfigMap obj, CancellationToken cancellationToken) =>
        kubernetes.CoreV1.CreateNamespacedConfigMapAsync(obj, @namespace, cancellationToken: cancellationToken);

    public Task<V1ConfigMap> ReplaceAsync(string @namespace, V1ConfigMap obj, CancellationToken cancellationToken) =>
        kubernetes.CoreV1.ReplaceNamespacedConfigMapAsync(obj, obj.Metadata.Name, @namespace, cancellationToken: cancellationToken);
}
