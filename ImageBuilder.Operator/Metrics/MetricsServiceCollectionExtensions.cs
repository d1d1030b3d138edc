using ImageBuilder.Operator.Controllers;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Prometheus;

namespace ImageBuilder.Operator.Metrics;

public static class MetricsServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="OperatorMetrics"/>, which the roles take as a constructor dependency and count into themselves.
    /// <paramref name="track"/> adds the gauges read at scrape time from whichever roles the caller registered (the
    /// composition root knows them; this folder names none of them). The first registration wins.
    /// </summary>
    public static IServiceCollection AddOperatorMetrics(this IServiceCollection services, Action<IServiceProvider, OperatorMetrics>? track = null)
    {
        services.TryAddSingleton(sp =>
        {
            var metrics = new OperatorMetrics(sp.GetService<ILeaderStatus>());
            track?.Invoke(sp, metrics);
            return metrics;
        });
        return services;
    }

    /// <summary>Serves the operator's registry in the Prometheus text format.</summary>
    public static IEndpointConventionBuilder MapOperatorMetrics(this IEndpointRouteBuilder endpoints, string pattern = "/metrics")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        return endpoints.MapMetrics(pattern, endpoints.ServiceProvider.GetRequiredService<OperatorMetrics>().Registry);
    }
}
