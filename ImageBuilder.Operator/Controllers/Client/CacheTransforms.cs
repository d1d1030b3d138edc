using k8s;
using k8s.Models;

namespace ImageBuilder.Operator.Controllers.Client;

/// <summary>The transforms every informer of the operator applies (see <see cref="CacheTransform{T}"/>).</summary>
public static class CacheTransforms
{
    /// <summary>kubectl apply's copy of the whole object, as an annotation: as large as the spec, never read.</summary>
    public const string LastAppliedAnnotation = "kubectl.kubernetes.io/last-applied-configuration";

    /// <summary>
    /// Drops what no reader of the cache uses: managedFields (server-side apply's bookkeeping, often the largest
    /// part of an object) and the last-applied annotation; interns the strings every object repeats.
    /// </summary>
    public static T Metadata<T>(T obj)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        ArgumentNullException.ThrowIfNull(obj);
        obj.ApiVersion = Intern(obj.ApiVersion);
        obj.Kind = Intern(obj.Kind);
        if (obj.Metadata is not { } meta)
        {
            return obj;
        }
        meta.ManagedFields = null;
        meta.NamespaceProperty = Intern(meta.NamespaceProperty);
        if (meta.Annotations is { } annotations)
        {
            annotations.Remove(LastAppliedAnnotation);
            meta.Annotations = annotations.Count == 0 ? null : InternKeys(annotations, values: false);
        }
        if (meta.Labels is { } labels)
        {
            meta.Labels = InternKeys(labels, values: true);
        }
        foreach (var owner in meta.OwnerReferences ?? [])
        {
            owner.ApiVersion = Intern(owner.ApiVersion);
            owner.Kind = Intern(owner.Kind);
        }
        return obj;
    }

    /// <summary>
    /// A Job as the operator reads it: metadata (labels, owner), status, and of the spec only the deadline that a
    /// failure message names. The pod template, by far the largest part, is only ever written.
    /// </summary>
    public static V1Job Job(V1Job job)
    {
        ArgumentNullException.ThrowIfNull(job);
        Metadata(job);
        if (job.Spec is { } spec)
        {
            job.Spec = new V1JobSpec { ActiveDeadlineSeconds = spec.ActiveDeadlineSeconds, Template = null! };
        }
        foreach (var condition in job.Status?.Conditions ?? [])
        {
            condition.Type = Intern(condition.Type);
            condition.Status = Intern(condition.Status);
            condition.Reason = Intern(condition.Reason);
        }
        return job;
    }

    /// <summary>
    /// For strings of a small set (kinds, phases, reasons, namespaces): one shared copy instead of one per object.
    /// Never for values of unbounded variety, which would stay in the intern pool forever.
    /// </summary>
    public static string? Intern(string? value) => value is null ? null : string.Intern(value);

    private static Dictionary<string, string> InternKeys(IDictionary<string, string> source, bool values)
    {
        var copy = new Dictionary<string, string>(source.Count, StringComparer.Ordinal);
        foreach (var (key, value) in source)
        {
            copy[string.Intern(key)] = values && key == Api.Annotations.ManagedByLabel ? string.Intern(value) : value;
        }
        return copy;
    }
}
