using k8s;
using k8s.Models;

namespace ImageBuilder.Operator.Controllers.Client;

/// <summary>
/// List and watch of ConfigMaps in one namespace (core group, which <see cref="KubernetesResourceClient{T}"/> does not
/// serve), narrowed by a field selector: with <c>metadata.name=NAME</c> an informer holds that one object and hears of
/// no other, so its memory and traffic stay those of a single ConfigMap.
/// </summary>
public sealed class KubernetesConfigMapResourceClient : IResourceClient<V1ConfigMap>
{
    private const int PageSize = 500;
    private readonly IKubernetes _kubernetes;
    private readonly string _namespace;
    private readonly string? _fieldSelector;
    private readonly TimeProvider _time;

    /// <param name="kubernetes">The client.</param>
    /// <param name="namespace">The namespace: one only, so a namespaced Role's list and watch suffice.</param>
    /// <param name="fieldSelector">A field selector (such as <c>metadata.name=NAME</c>), or null for every ConfigMap there.</param>
    /// <param name="time">Measures how long a watch ran; defaults to the system clock.</param>
    public KubernetesConfigMapResourceClient(IKubernetes kubernetes, string @namespace, string? fieldSelector, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(kubernetes);
        ArgumentException.ThrowIfNullOrEmpty(@namespace);
        _kubernetes = kubernetes;
        _namespace = @namespace;
        _fieldSelector = string.IsNullOrEmpty(fieldSelector) ? null : fieldSelector;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>The field selector that matches one object by name.</summary>
    public static string NameSelector(string name) => "metadata.name=" + name;

    public async Task<ResourcePage<V1ConfigMap>> ListAsync(string? continueToken, CancellationToken cancellationToken)
    {
        var list = await _kubernetes.CoreV1.ListNamespacedConfigMapAsync(
            _namespace, continueParameter: continueToken, fieldSelector: _fieldSelector, limit: PageSize, cancellationToken: cancellationToken);
        return ResourcePage.Of(list.Items, list.Metadata);
    }

    public IAsyncEnumerable<(WatchEventType Type, V1ConfigMap Object)> WatchAsync(
        string resourceVersion, TimeSpan timeout, Action<Exception> onError, CancellationToken cancellationToken) =>
        WatchStreams.EndedOnSchedule(
            () => _kubernetes.CoreV1.WatchListNamespacedConfigMapAsync(
                _namespace, allowWatchBookmarks: true, fieldSelector: _fieldSelector, resourceVersion: resourceVersion,
                timeoutSeconds: (int)Math.Max(1, timeout.TotalSeconds), onError: onError, cancellationToken: cancellationToken),
            timeout, _time, cancellationToken);
}
