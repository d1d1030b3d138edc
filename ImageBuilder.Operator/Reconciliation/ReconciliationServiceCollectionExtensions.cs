using ImageBuilder.Operator.Api;
using ImageBuilder.Operator.Controllers;
using ImageBuilder.Operator.Controllers.Client;
using ImageBuilder.Operator.Options;
using ImageBuilder.Operator.Reconciliation.Admission;
using k8s.Models;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace ImageBuilder.Operator.Reconciliation;

public static class ReconciliationServiceCollectionExtensions
{
    /// <summary>Registers the ImageBuild reconciler and its steps, in reconcile order, with validated <see cref="ReconcileOptions"/>.</summary>
    public static IServiceCollection AddReconciliation(this IServiceCollection services)
    {
        services.AddOptions<ReconcileOptions>().BindConfiguration(ReconcileOptions.SectionName).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ReconcileOptions>, ReconcileOptionsValidator>());
        services.AddSingleton<ReconcileErrors>();
        services.AddSingleton<StepRunner>();
        services.AddSingleton<ImageBuildStore>();
        services.TryAddSingleton<CacheTransform<ImageBuild>>(ImageBuildCacheTrim.Trim);
        services.AddSingleton<BuildEvents>();
        services.AddSingleton<BuildOutcomes>();
        // The steps' seams to the API (Controllers/Client), so each step is unit-tested against in-memory objects.
        services.TryAddSingleton<KubernetesSecretClient>();
        services.TryAddSingleton<IObjectReader<V1Secret>>(sp => sp.GetRequiredService<KubernetesSecretClient>());
        services.TryAddSingleton<IObjectDeleter<V1Secret>>(sp => sp.GetRequiredService<KubernetesSecretClient>());
        services.TryAddSingleton<KubernetesJobClient>();
        services.TryAddSingleton<IObjectReader<V1Job>>(sp => sp.GetRequiredService<KubernetesJobClient>());
        services.TryAddSingleton<IObjectLister<V1Job>>(sp => sp.GetRequiredService<KubernetesJobClient>());
        services.TryAddSingleton<IObjectDeleter<V1Job>>(sp => sp.GetRequiredService<KubernetesJobClient>());
        services.TryAddSingleton<IObjectLister<V1Pod>, KubernetesPodLister>();
        services.TryAddSingleton<IObjectReader<ImageBuild>, LiveImageBuildReader>();
        services.AddSingleton<TokenReader>();
        services.AddSingleton<RegistrySecrets>();
        services.AddSingleton<BuildTeardown>();
        services.AddSingleton<BuildSlots>();
        services.AddSingleton<IJobKeyMapper<ImageBuild>, QueuedBuildsOnFreedSlot>();
        services.AddOptions<SupersedeOptions>().BindConfiguration(SupersedeOptions.SectionName).ValidateOnStart();
        services.AddSingleton<INotificationOrder, NotificationOrder>();
        services.AddOptions<RetentionOptions>().BindConfiguration(RetentionOptions.SectionName).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RetentionOptions>, RetentionOptionsValidator>());
        services.TryAddSingleton<RetiredBuilds>();
        foreach (var step in ImageBuildReconciler.StepOrder)
        {
            services.AddSingleton(typeof(IReconcileStep), step);
        }
        services.AddSingleton<IReconciler<ImageBuild>, ImageBuildReconciler>();
        return services;
    }
}
