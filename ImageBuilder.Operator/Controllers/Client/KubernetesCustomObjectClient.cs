using System.Net;
using System.Text.Json;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace ImageBuilder.Operator.Controllers.Client;

/// <summary>
/// Live reads, status writes, merge patches and deletes through the API's generic
/// <c>/apis/{group}/{version}/namespaces/{ns}/{plural}</c> paths, with group, version and plural from
/// <see cref="KubernetesEntityAttribute"/> (as <see cref="KubernetesResourceClient{T}"/>).
/// </summary>
public sealed class KubernetesCustomObjectClient<T> : IObjectReader<T>, IStatusWriter<T>, IObjectPatcher<T>, IObjectDeleter<T>
    where T : class, IKubernetesObject<V1ObjectMeta>
{
    private readonly IKubernetes _kubernetes;
    private readonly string _group;
    private readonly string _version;
    private readonly string _plural;

    public KubernetesCustomObjectClient(IKubernetes kubernetes)
    {
        ArgumentNullException.ThrowIfNull(kubernetes);
        _kubernetes = kubernetes;
        (_group, _version, _plural) = ApiResource.Of<T>();
    }

    /// <summary>
    /// The object, or null when it does not exist. A 404 for the resource type itself (its CRD is not installed) is
    /// not "no such object": it is thrown, so the caller retries instead of acting on an object it believes deleted.
    /// </summary>
    public async Task<T?> GetAsync(string @namespace, string name, CancellationToken cancellationToken)
    {
        try
        {
            return await _kubernetes.CustomObjects.GetNamespacedCustomObjectAsync<T>(_group, _version, @namespace, _plural, name, cancellationToken);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound && !IsMissingResource(e))
        {
            return null;
        }
    }

    public Task<T> ReplaceStatusAsync(string @namespace, T obj, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(obj);
        return _kubernetes.CustomObjects.ReplaceNamespacedCustomObjectStatusAsync<T>(obj, _group, _version, @namespace, _plural, obj.Metadata.Name, cancellationToken: cancellationToken);
    }

    public Task<T> MergePatchAsync(string @namespace, string name, object patch, CancellationToken cancellationToken) =>
        _kubernetes.CustomObjects.PatchNamespacedCustomObjectAsync<T>(
            new V1Patch(KubernetesJson.Serialize(patch), V1Patch.PatchType.MergePatch), _group, _version, @namespace, _plural, name, cancellationToken: cancellationToken);

    public Task DeleteAsync(string @namespace, string name, CancellationToken cancellationToken) =>
        _kubernetes.CustomObjects.DeleteNamespacedCustomObjectAsync(_group, _version, @namespace, _plural, name, DeleteOptions.Background(), cancellationToken: cancellationToken);

    public Task DeleteAsync(string @namespace, string name, string uid, CancellationToken cancellationToken) =>
        _kubernetes.CustomObjects.DeleteNamespacedCustomObjectAsync(_group, _version, @namespace, _plural, name, DeleteOptions.Background(uid), cancellationToken: cancellationToken);

    /// <summary>The apiserver names the object in a 404 for a missing object, and nothing in one for a missing resource type.</summary>
    private static bool IsMissingResource(HttpOperationException e)
    {
        try
        {
            return !string.IsNullOrEmpty(e.Response.Content)
                && KubernetesJson.Deserialize<V1Status>(e.Response.Content) is { } status
                && string.IsNullOrEmpty(status.Details?.Name);
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
