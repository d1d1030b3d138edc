using ImageBuilder.Operator.Api;
using ImageBuilder.Operator.Controllers;
using ImageBuilder.Operator.Controllers.Client;
using ImageBuilder.Operator.Options;
using ImageBuilder.Operator.Reconciliation.Admission;
using ImageBuilder.Operator.Reconciliation.Steps;
using k8s;
using k8s.Models;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace ImageBuilder.Operator.Reconciliation;

public static class ReconciliationServiceCollectionExtensions
{
    /// <summary>Registers the ImageBuild reconciler and its steps with validated <see cref="ReconcileOptions"/>.</summary>
    public static IServiceCollection AddReconciliation(this IServiceCollection services)
    {
        services.AddOptions<ReconcileOptions>().BindConfiguration(ReconcileOptions.SectionName).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ReconcileOptions>, ReconcileOptionsValidator>());
        services.AddSingleton<ReconcileErrors>();
        services.AddSingleton<StepRunner>();
        services.AddSingleton<ImageBuildStore>();
        services.AddSingleton<BuildEvents>();
        services.AddSingleton<BuildOutcomes>();
        // The steps' seams to the API (Controllers/Client), so each step is unit-tested against in-memory objects.
        services.TryAddSingleton(sp => KubernetesCoreObjects.Secrets(sp.GetRequiredService<IKubernetes>()));
        services.TryAddSingleton<IObjectReader<V1Secret>>(sp => sp.GetRequiredService<KubernetesCoreObjectClient<V1Secret>>());
        services.TryAddSingleton<IObjectCreator<V1Secret>>(sp => sp.GetRequiredService<KubernetesCoreObjectClient<V1Secret>>());
        services.TryAddSingleton<IObjectReplacer<V1Secret>>(sp => sp.GetRequiredService<KubernetesCoreObjectClient<V1Secret>>());
        services.TryAddSingleton<IObjectDeleter<V1Secret>>(sp => sp.GetRequiredService<KubernetesCoreObjectClient<V1Secret>>());
        services.TryAddSingleton<KubernetesJobClient>();
        services.TryAddSingleton<IObjectCreator<V1Job>>(sp => sp.GetRequiredService<KubernetesJobClient>());
        services.TryAddSingleton<IObjectReader<V1Job>>(sp => sp.GetRequiredService<KubernetesJobClient>());
        services.TryAddSingleton<IObjectLister<V1Job>>(sp => sp.GetRequiredService<KubernetesJobClient>());
        services.TryAddSingleton<IObjectDeleter<V1Job>>(sp => sp.GetRequiredService<KubernetesJobClient>());
        services.TryAddSingleton<IObjectLister<V1Pod>, KubernetesPodLister>();
        services.TryAddSingleton<IObjectCreator<Corev1Event>, KubernetesEventCreator>();
        services.TryAddSingleton<KubernetesCustomObjectClient<ImageBuild>>();
        services.TryAddSingleton<IObjectReader<ImageBuild>>(sp => sp.GetRequiredService<KubernetesCustomObjectClient<ImageBuild>>());
        services.TryAddSingleton<IStatusWriter<ImageBuild>>(sp => sp.GetRequiredService<KubernetesCustomObjectClient<ImageBuild>>());
        services.TryAddSingleton<IObjectPatcher<ImageBuild>>(sp => sp.GetRequiredService<KubernetesCustomObjectClient<ImageBuild>>());
        services.TryAddSingleton<IObjectDeleter<ImageBuild>>(sp => sp.GetRequiredService<KubernetesCustomObjectClient<ImageBuild>>());
        services.AddSingleton<TokenReader>();
        services.AddSingleton<RegistrySecrets>();
        services.AddSingleton<BuildTeardown>();
        services.AddSingleton<BuildSlots>();
        services.AddOptions<SupersedeOptions>().BindConfiguration(SupersedeOptions.SectionName).ValidateOnStart();
        services.AddSingleton<INotificationOrder, NotificationOrder>();
        services.AddOptions<RetentionOptions>().BindConfiguration(RetentionOptions.SectionName).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RetentionOptions>, RetentionOptionsValidator>());
        services.AddOperatorConfigMaps();
        services.TryAddSingleton<RetiredBuilds>();
        // The steps, each once; their order is written in ImageBuildReconciler.Lifecycle, not here.
        services.AddSingleton<AcceptStep>();
        services.AddSingleton<CancelStep>();
        services.AddSingleton<ValidateStep>();
        services.AddSingleton<SupersedeStep>();
        services.AddSingleton<RetryStep>();
        services.AddSingleton<ResolveSourceStep>();
        services.AddSingleton<CacheCheckStep>();
        services.AddSingleton<AdmissionStep>();
        services.AddSingleton<EnsureJobStep>();
        services.AddSingleton<ObserveJobStep>();
        services.AddSingleton<NotifyStep>();
        services.AddSingleton<CleanupStep>();
        services.AddSingleton<RetentionStep>();
        services.AddSingleton<IBuildSteps, BuildSteps>();
        services.AddSingleton<IReconciler<ImageBuild>, ImageBuildReconciler>();
        return services;
    }

    /// <summary>
    /// <see cref="OperatorConfigMaps"/> and its seams to the API; the messaging roles need them too (<see cref="RetiredBuilds"/>),
    /// with or without the reconciler.
    /// </summary>
    public static IServiceCollection AddOperatorConfigMaps(this IServiceCollection services)
    {
        services.TryAddSingleton(sp => KubernetesCoreObjects.ConfigMaps(sp.GetRequiredService<IKubernetes>()));
        services.TryAddSingleton<IObjectReader<V1ConfigMap>>(sp => sp.GetRequiredService<KubernetesCoreObjectClient<V1ConfigMap>>());
        services.TryAddSingleton<IObjectCreator<V1ConfigMap>>(sp => sp.GetRequiredService<KubernetesCoreObjectClient<V1ConfigMap>>());
        services.TryAddSingleton<IObjectReplacer<V1ConfigMap>>(sp => sp.GetRequiredService<KubernetesCoreObjectClient<V1ConfigMap>>());
        services.TryAddSingleton<OperatorConfigMaps>();
        return services;
    }
}
