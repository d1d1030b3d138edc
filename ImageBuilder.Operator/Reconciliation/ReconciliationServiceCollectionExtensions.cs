using ImageBuilder.Operator.Api;
using ImageBuilder.Operator.Controllers;
using ImageBuilder.Operator.Controllers.Client;
using ImageBuilder.Operator.Options;
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
        services.AddSingleton<TokenReader>();
        services.AddSingleton<RegistrySecrets>();
        foreach (var step in ImageBuildReconciler.StepOrder)
        {
            services.AddSingleton(typeof(IReconcileStep), step);
        }
        services.AddSingleton<IReconciler<ImageBuild>, ImageBuildReconciler>();
        return services;
    }
}
