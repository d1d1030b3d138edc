using System.Runtime.CompilerServices;
using System.Text.Json;
using k8s;
using k8s.Models;

namespace ImageBuilder.Operator.Controllers.Client;

/// <summary>
/// List and watch through the API's generic <c>/apis/{group}/{version}/[namespaces/{ns}/]{plural}</c> paths, with
/// group, version and plural from <see cref="KubernetesEntityAttribute"/>: one code path serves custom resources
/// and built-in resources of named groups (batch/v1 Jobs). The core group (/api/v1) is not supported.
/// </summary>
public sealed class KubernetesResourceClient<T> : IResourceClient<T>
    where T : class, IKubernetesObject<V1ObjectMeta>
{
    private const int PageSize = 500;
    private readonly IKubernetes _kubernetes;
    private readonly string _group;
    private readonly string _version;
    private readonly string _plural;
    private readonly string? _namespace;
    private readonly string? _labelSelector;
    private readonly TimeProvider _time;

    /// <param name="kubernetes">The client.</param>
    /// <param name="namespace">One namespace, or null/empty for all namespaces.</param>
    /// <param name="labelSelector">A label selector, or null for all objects.</param>
    /// <param name="time">Measures how long a watch ran; defaults to the system clock.</param>
    public KubernetesResourceClient(IKubernetes kubernetes, string? @namespace, string? labelSelector, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(kubernetes);
        _kubernetes = kubernetes;
        (_group, _version, _plural) = ApiResource.Of<T>();
        _namespace = string.IsNullOrEmpty(@namespace) ? null : @namespace;
        _labelSelector = string.IsNullOrEmpty(labelSelector) ? null : labelSelector;
        _time = time ?? TimeProvider.System;
    }

    public async Task<ResourcePage<T>> ListAsync(string? continueToken, CancellationToken cancellationToken)
    {
        using var response = await (_namespace is null
            ? _kubernetes.CustomObjects.ListClusterCustomObjectWithHttpMessagesAsync<KubernetesList<T>>(
                _group, _version, _plural, continueParameter: continueToken, labelSelector: _labelSelector, limit: PageSize, cancellationToken: cancellationToken)
            : _kubernetes.CustomObjects.ListNamespacedCustomObjectWithHttpMessagesAsync<KubernetesList<T>>(
                _group, _version, _namespace, _plural, continueParameter: continueToken, labelSelector: _labelSelector, limit: PageSize, cancellationToken: cancellationToken));
        var list = response.Body;
        return ResourcePage.Of(list.Items, list.Metadata);
    }

    public async IAsyncEnumerable<(WatchEventType Type, T Object)> WatchAsync(
        string resourceVersion, TimeSpan timeout, Action<Exception> onError, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var timeoutSeconds = (int)Math.Max(1, timeout.TotalSeconds);
        IAsyncEnumerable<(WatchEventType, object)> Open() => _namespace is null
            ? _kubernetes.CustomObjects.WatchListClusterCustomObjectAsync(
                _group, _version, _plural, allowWatchBookmarks: true, labelSelector: _labelSelector, resourceVersion: resourceVersion,
                timeoutSeconds: timeoutSeconds, onError: onError, cancellationToken: cancellationToken)
            : _kubernetes.CustomObjects.WatchListNamespacedCustomObjectAsync(
                _group, _version, _namespace, _plural, allowWatchBookmarks: true, labelSelector: _labelSelector, resourceVersion: resourceVersion,
                timeoutSeconds: timeoutSeconds, onError: onError, cancellationToken: cancellationToken);
        await foreach (var (type, obj) in WatchStreams.EndedOnSchedule(Open, timeout, _time, cancellationToken))
        {
            // The untyped watch hands each object over as parsed JSON; bind it to T here.
            if (obj is JsonElement json)
            {
                yield return (type, KubernetesJson.Deserialize<T>(json));
            }
        }
    }
}
