using ImageBuilder.Operator.Api;
using ImageBuilder.Operator.Controllers;
using ImageBuilder.Operator.Messaging;
using ImageBuilder.Operator.Reconciliation.Admission;
using Prometheus;

namespace ImageBuilder.Operator.Metrics;

public static class MetricsServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="OperatorMetrics"/> and wraps the registered reconciler of <see cref="ImageBuild"/> and the
    /// retry scheduler with their metered decorators. Call after the roles that register those two.
    /// </summary>
    public static IServiceCollection AddOperatorMetrics(this IServiceCollection services)
    {
        services.AddSingleton(sp =>
        {
            var metrics = new OperatorMetrics(sp.GetService<ILeaderStatus>());
            if (sp.GetService<RabbitMqConnection>() is { } connection)
            {
                metrics.TrackBuildQueueDepth(new BuildQueueDepth(connection).ReadAsync);
            }
            if (sp.GetService<IObjectCache<ImageBuild>>() is { } cache)
            {
                metrics.TrackImageBuilds(() => cache.HasSynced ? cache.List() : null, sp.GetService<TimeProvider>() ?? TimeProvider.System);
            }
            if (sp.GetService<BuildSlots>() is { } slots)
            {
                metrics.TrackBuildSlots(() => slots.HasSynced ? slots.Snapshot() : null);
            }
            return metrics;
        });
        Decorate<IReconciler<ImageBuild>>(services, (sp, inner) =>
            new MeteredReconciler<ImageBuild>(inner, sp.GetRequiredService<OperatorMetrics>(), sp.GetRequiredService<TimeProvider>()));
        Decorate<IRetryScheduler>(services, (sp, inner) => new MeteredRetryScheduler(inner, sp.GetRequiredService<OperatorMetrics>()));
        return services;
    }

    /// <summary>Serves the operator's registry in the Prometheus text format.</summary>
    public static IEndpointConventionBuilder MapOperatorMetrics(this IEndpointRouteBuilder endpoints, string pattern = "/metrics")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        return endpoints.MapMetrics(pattern, endpoints.ServiceProvider.GetRequiredService<OperatorMetrics>().Registry);
    }

    /// <summary>Replaces each registration of <typeparamref name="T"/> with <paramref name="wrap"/> around the original.</summary>
    private static void Decorate<T>(IServiceCollection services, Func<IServiceProvider, T, T> wrap)
        where T : class
    {
        for (var i = 0; i < services.Count; i++)
        {
            var original = services[i];
            if (original.ServiceType != typeof(T) || original.IsKeyedService)
            {
                continue;
            }
            services[i] = ServiceDescriptor.Describe(typeof(T), sp => wrap(sp, (T)Create(sp, original)), original.Lifetime);
        }
    }

    private static object Create(IServiceProvider provider, ServiceDescriptor descriptor) => descriptor switch
    {
        { ImplementationInstance: { } instance } => instance,
        { ImplementationFactory: { } factory } => factory(provider),
        _ => ActivatorUtilities.CreateInstance(provider, descriptor.ImplementationType!),
    };
}
