using k8s;
using k8s.Models;

namespace ImageBuilder.Operator.Controllers.Client;

/// <summary>Creates core/v1 Events (core group, which <see cref="KubernetesResourceClient{T}"/> does not serve).</summary>
public sealed class KubernetesEventCreator(IKubernetes kubernetes) : IObjectCreator<Corev1Event>
{
    public Task<Corev1Event> CreateAsync(string @namespace, Corev1Event obj, CancellationToken cancellationToken) =>
        kubernetes.CoreV1.CreateNamespacedEventAsync(obj, @namespace, cancellationToken: cancellationToken);
}
