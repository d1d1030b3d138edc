using ImageBuilder.Operator.Api;
using ImageBuilder.Operator.Controllers;

namespace ImageBuilder.Operator.Reconciliation;

public static class ReconciliationServiceCollectionExtensions
{
    /// <summary>Registers the ImageBuild reconciler and its steps, in reconcile order.</summary>
    public static IServiceCollection AddReconciliation(this IServiceCollection services)
    {
        services.AddSingleton<ImageBuildStore>();
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
