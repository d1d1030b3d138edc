using k8s;
using k8s.Models;

namespace ImageBuilder.Operator.Controllers.Client;

/// <summary>Pods by label selector (core group, which <see cref="KubernetesResourceClient{T}"/> does not serve).</summary>
public sealed class KubernetesPodLister(IKubernetes kubernetes) : IObjectLister<V1Pod>
{
    public async Task<IReadOnlyList<V1Pod>> ListAsync(string @namespace, string labelSelector, CancellationToken cancellationToken) =>
        [.. (await kubernetes.CoreV1.ListNamespacedPodAsync(@namespace, labelSelector: labelSelector, cancellationToken: cancellationToken)).Items];
}
