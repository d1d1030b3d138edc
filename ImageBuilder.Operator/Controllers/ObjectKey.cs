using k8s;
using k8s.Models;

namespace ImageBuilder.Operator.Controllers;

/// <summary>Identifies one object in the work queue and the informer cache; namespace is empty for cluster-scoped objects.</summary>
public readonly record struct ObjectKey(string Namespace, string Name)
{
    public static ObjectKey From(IKubernetesObject<V1ObjectMeta> obj)
    {
        ArgumentNullException.ThrowIfNull(obj);
        return new ObjectKey(obj.Metadata?.NamespaceProperty ?? "", obj.Metadata?.Name ?? "");
    }

    public override string ToString() => string.IsNullOrEmpty(Namespace) ? Name : Namespace + "/" + Name;
}
