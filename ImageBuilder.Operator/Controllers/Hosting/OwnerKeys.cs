using System.Reflection;
using k8s;
using k8s.Models;

namespace ImageBuilder.Operator.Controllers.Hosting;

/// <summary>Maps an owned object to the key of the object that owns it.</summary>
public static class OwnerKeys
{
    /// <summary>
    /// The owner of kind <typeparamref name="TOwner"/> (same kind and API group) from the object's ownerReferences;
    /// failing that, the value of the <paramref name="ownerLabel"/> label, when given: for an object whose
    /// ownerReference was stripped (e.g. restored from backup). Null when the object belongs to no such owner.
    /// The owner is in the owned object's namespace, as Kubernetes requires of namespaced owners.
    /// </summary>
    public static ObjectKey? For<TOwner>(IKubernetesObject<V1ObjectMeta> owned, string? ownerLabel = null)
    {
        ArgumentNullException.ThrowIfNull(owned);
        var entity = typeof(TOwner).GetCustomAttribute<KubernetesEntityAttribute>()
            ?? throw new ArgumentException($"{typeof(TOwner).Name} has no [KubernetesEntity] attribute");
        var ns = owned.Metadata?.NamespaceProperty ?? "";
        var group = entity.Group + "/";
        var owner = owned.Metadata?.OwnerReferences?.FirstOrDefault(r =>
            r.Kind == entity.Kind && (r.ApiVersion?.StartsWith(group, StringComparison.Ordinal) ?? false));
        if (owner is { Name.Length: > 0 })
        {
            return new ObjectKey(ns, owner.Name);
        }
        // A label value that names no object (e.g. a name too long for a label, stored hashed) only makes a no-op reconcile.
        if (ownerLabel is not null && owned.Metadata?.Labels?.TryGetValue(ownerLabel, out var name) == true && !string.IsNullOrEmpty(name))
        {
            return new ObjectKey(ns, name);
        }
        return null;
    }
}
