using k8s;
using k8s.Models;

namespace ImageBuilder.Operator.Controllers.Hosting;

/// <summary>Which update events are worth a reconcile.</summary>
public static class ChangePredicates
{
    /// <summary>
    /// controller-runtime's GenerationChanged | AnnotationChanged | LabelChanged, plus deletion and finalizers:
    /// a status write (which moves only status, resourceVersion and managedFields) is not, so the reconciler's
    /// own write does not bring the object straight back. A resync (same instance twice) always passes.
    /// Relies on the CRD's status subresource, without which a status write bumps the generation too.
    /// </summary>
    public static bool SpecOrMetadataChanged(IKubernetesObject<V1ObjectMeta> oldObj, IKubernetesObject<V1ObjectMeta> newObj)
    {
        ArgumentNullException.ThrowIfNull(oldObj);
        ArgumentNullException.ThrowIfNull(newObj);
        if (ReferenceEquals(oldObj, newObj))
        {
            return true;
        }
        var before = oldObj.Metadata;
        var after = newObj.Metadata;
        if (before is null || after is null)
        {
            return true;
        }
        return before.Generation != after.Generation
            || before.DeletionTimestamp != after.DeletionTimestamp
            || !SameMap(before.Labels, after.Labels)
            || !SameMap(before.Annotations, after.Annotations)
            || !SameList(before.Finalizers, after.Finalizers);
    }

    private static bool SameMap(IDictionary<string, string>? a, IDictionary<string, string>? b)
    {
        var left = a ?? EmptyMap;
        var right = b ?? EmptyMap;
        return left.Count == right.Count
            && left.All(p => right.TryGetValue(p.Key, out var v) && string.Equals(v, p.Value, StringComparison.Ordinal));
    }

    private static bool SameList(IList<string>? a, IList<string>? b) =>
        (a ?? []).SequenceEqual(b ?? [], StringComparer.Ordinal);

    private static readonly Dictionary<string, string> EmptyMap = [];
}
