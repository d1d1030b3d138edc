using ImageBuilder.Operator.Api;
using ImageBuilder.Operator.Controllers;
using ImageBuilder.Operator.Controllers.Client;
using ImageBuilder.Operator.Controllers.Hosting;
using ImageBuilder.Operator.Reconciliation.Admission;
using k8s.Models;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace ImageBuilder.Operator.Reconciliation;

/// <summary>
/// The ImageBuild controller on the generic runtime (Controllers/, which knows no ImageBuild): what it reconciles,
/// which Jobs it watches and how a Job finds its build, which other builds a Job's change wakes, and what the
/// caches keep of both types.
/// </summary>
public static class ImageBuildController
{
    /// <summary>The label selector of the Jobs the controller watches: only those the operator made.</summary>
    public const string ManagedJobsSelector = Annotations.ManagedByLabel + "=" + Annotations.ManagedByValue;

    /// <summary>
    /// Adds the runtime for <see cref="ImageBuild"/> (resynced, all of them) with the operator's Jobs as owned objects
    /// (each change reconciles its build) and <see cref="QueuedBuildsOnFreedSlot"/> on the same Jobs. The reconciler
    /// itself comes from <see cref="ReconciliationServiceCollectionExtensions.AddReconciliation"/>. The caches keep what
    /// <see cref="ImageBuildCacheTrim"/> and <see cref="JobCacheTrim"/> leave, the builds indexed by application
    /// (<see cref="Supersession.ByApplication"/>).
    /// </summary>
    public static IServiceCollection AddImageBuildController(this IServiceCollection services, IConfiguration configuration)
    {
        services.TryAddSingleton<CacheTransform<ImageBuild>>(ImageBuildCacheTrim.Trim);
        services.TryAddSingleton<CacheTransform<V1Job>>(JobCacheTrim.Trim);
        services.AddSingleton(Supersession.ByApplication);
        return services.AddControllerRuntime<ImageBuild>(configuration, controller => controller
            .Owns<V1Job>(ManagedJobsSelector, ownerLabel: Annotations.BuildLabel)
            .Watches<V1Job, QueuedBuildsOnFreedSlot>(ManagedJobsSelector));
    }

    /// <summary>
    /// The build a Job belongs to: its ImageBuild ownerReference, else its <see cref="Annotations.BuildLabel"/> label
    /// (a Job whose ownerReference was stripped, e.g. restored from backup); null for a Job of no build. The label holds
    /// the name itself for names of up to 63 characters (<see cref="Annotations.LabelValue"/>); a longer, hashed one
    /// finds no object and that reconcile is a no-op.
    /// </summary>
    public static ObjectKey? BuildOf(V1Job job) => OwnerKeys.For<ImageBuild>(job, Annotations.BuildLabel);
}
