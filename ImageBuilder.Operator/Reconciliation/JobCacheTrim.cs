using ImageBuilder.Operator.Controllers.Client;
using k8s.Models;

namespace ImageBuilder.Operator.Reconciliation;

/// <summary>What the Job cache keeps of a build Job (registered by <see cref="ImageBuildController"/>).</summary>
public static class JobCacheTrim
{
    /// <summary>
    /// A Job as the operator reads it: metadata (labels, owner), status, and of the spec only the deadline that a
    /// failure message names. The pod template, by far the largest part, is only ever written.
    /// </summary>
    public static V1Job Trim(V1Job job)
    {
        ArgumentNullException.ThrowIfNull(job);
        CacheTransforms.Metadata(job);
        if (job.Spec is { } spec)
        {
            job.Spec = new V1JobSpec { ActiveDeadlineSeconds = spec.ActiveDeadlineSeconds, Template = null! };
        }
        foreach (var condition in job.Status?.Conditions ?? [])
        {
            condition.Type = CacheTransforms.Intern(condition.Type);
            condition.Status = CacheTransforms.Intern(condition.Status);
            condition.Reason = CacheTransforms.Intern(condition.Reason);
        }
        return job;
    }
}
