using System.Reflection;
using ImageBuilder.Operator.Api;
using k8s.Models;

namespace ImageBuilder.Operator.Controllers.Hosting;

/// <summary>Maps an owned Job to the key of the object that owns it.</summary>
public static class OwnerKeys
{
    /// <summary>
    /// The owner of kind <typeparamref name="TOwner"/> from the Job's ownerReferences; failing that, the
    /// <see cref="Annotations.BuildLabel"/> label (a Job whose ownerReference was stripped, e.g. restored from backup).
    /// Null when the Job belongs to no such owner.
    /// </summary>
    public static ObjectKey? ForJob<TOwner>(V1Job job)
    {
        ArgumentNullException.ThrowIfNull(job);
        var entity = typeof(TOwner).GetCustomAttribute<KubernetesEntityAttribute>()
            ?? throw new ArgumentException($"{typeof(TOwner).Name} has no [KubernetesEntity] attribute");
        var ns = job.Metadata?.NamespaceProperty ?? "";
        var group = entity.Group + "/";
        var owner = job.Metadata?.OwnerReferences?.FirstOrDefault(r =>
            r.Kind == entity.Kind && (r.ApiVersion?.StartsWith(group, StringComparison.Ordinal) ?? false));
        if (owner is { Name.Length: > 0 })
        {
            return new ObjectKey(ns, owner.Name);
        }
        // The label holds the name itself for names of up to 63 characters (Annotations.LabelValue);
        // a longer, hashed one finds no object and that reconcile is a no-op.
        if (job.Metadata?.Labels?.TryGetValue(Annotations.BuildLabel, out var name) == true && !string.IsNullOrEmpty(name))
        {
            return new ObjectKey(ns, name);
        }
        return null;
    }
}
