using k8s;
using k8s.Models;

namespace ImageBuilder.Operator.Controllers.Client;

/// <summary>The core-group kinds the operator reads and writes by name, each as its generated client's calls.</summary>
public static class KubernetesCoreObjects
{
    public static KubernetesCoreObjectClient<V1Secret> Secrets(IKubernetes kubernetes)
    {
        ArgumentNullException.ThrowIfNull(kubernetes);
        return new(
            (ns, name, ct) => kubernetes.CoreV1.ReadNamespacedSecretAsync(name, ns, cancellationToken: ct),
            (ns, obj, ct) => kubernetes.CoreV1.CreateNamespacedSecretAsync(obj, ns, cancellationToken: ct),
            (ns, obj, ct) => kubernetes.CoreV1.ReplaceNamespacedSecretAsync(obj, obj.Metadata.Name, ns, cancellationToken: ct),
            (ns, name, options, ct) => kubernetes.CoreV1.DeleteNamespacedSecretAsync(name, ns, options, cancellationToken: ct));
    }

    public static KubernetesCoreObjectClient<V1ConfigMap> ConfigMaps(IKubernetes kubernetes)
    {
        ArgumentNullException.ThrowIfNull(kubernetes);
        return new(
            (ns, name, ct) => kubernetes.CoreV1.ReadNamespacedConfigMapAsync(name, ns, cancellationToken: ct),
            (ns, obj, ct) => kubernetes.CoreV1.CreateNamespacedConfigMapAsync(obj, ns, cancellationToken: ct),
            (ns, obj, ct) => kubernetes.CoreV1.ReplaceNamespacedConfigMapAsync(obj, obj.Metadata.Name, ns, cancellationToken: ct),
            (ns, name, options, ct) => kubernetes.CoreV1.DeleteNamespacedConfigMapAsync(name, ns, options, cancellationToken: ct));
    }
}
