using ImageBuilder.Operator.Controllers.Client;
using ImageBuilder.Operator.Controllers.Election;
using ImageBuilder.Operator.Controllers.Hosting;
using k8s;
using k8s.Models;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace ImageBuilder.Operator.Controllers;

/// <summary>Registers the controller runtime for one primary resource type.</summary>
public static class ControllerServiceCollectionExtensions
{
    /// <summary>
    /// Adds <see cref="ControllerOptions"/> (validated at start), an <see cref="IKubernetes"/> unless one is registered,
    /// an informer for <typeparamref name="TEntity"/> (readable as <see cref="IObjectCache{T}"/>), the watches
    /// <paramref name="configure"/> adds (owned and mapped types, see <see cref="ControllerBuilder{TPrimary}"/>),
    /// leader election (<see cref="ILeaderStatus"/>) and the hosted <see cref="ControllerHost{TEntity}"/>.
    /// A <see cref="CacheTransform{T}"/> registered for a type decides what its cache keeps (by default <see cref="CacheTransforms.Metadata{T}"/>),
    /// and each <see cref="CacheIndex{T}"/> registered for it is an index its cache keeps (<see cref="IObjectCache{T}.ByIndex"/>).
    /// The caller registers the <see cref="IReconciler{TEntity}"/> (any lifetime: it is resolved in a scope per reconcile).
    /// </summary>
    public static IServiceCollection AddControllerRuntime<TEntity>(
        this IServiceCollection services, IConfiguration configuration, Action<ControllerBuilder<TEntity>>? configure = null)
        where TEntity : class, IKubernetesObject<V1ObjectMeta>
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<ControllerOptions>().Bind(configuration.GetSection(ControllerOptions.SectionName)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ControllerOptions>, ControllerOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        // Single-object answers are read asynchronously before the client's synchronous deserialization (see the handler).
        services.TryAddSingleton<IKubernetes>(_ => new Kubernetes(KubernetesClientFactory.BuildConfig(configuration), new BufferedResponseHandler()));
        AddInformer<TEntity>(services, labelSelector: null, resync: true);
        configure?.Invoke(new ControllerBuilder<TEntity>(services));
        services.TryAddSingleton(CreateElection);
        services.TryAddSingleton<ILeaderStatus>(sp => sp.GetRequiredService<ILeaderElection>());
        services.AddHostedService<ControllerHost<TEntity>>();
        return services;
    }

    internal static void AddInformer<T>(IServiceCollection services, string? labelSelector, bool resync)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        services.TryAddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<ControllerOptions>>().Value;
            var time = sp.GetRequiredService<TimeProvider>();
            var client = new KubernetesResourceClient<T>(sp.GetRequiredService<IKubernetes>(), options.Namespace, labelSelector, time);
            var settings = new InformerSettings { ResyncPeriod = resync ? options.ResyncPeriod : TimeSpan.Zero, WatchTimeout = options.WatchTimeout };
            // The caller may register what its cache keeps of T; otherwise only the metadata is trimmed.
            var informer = new ResourceInformer<T>(client, settings, time, sp.GetRequiredService<ILogger<ResourceInformer<T>>>(), sp.GetService<CacheTransform<T>>());
            foreach (var index in sp.GetServices<CacheIndex<T>>())
            {
                informer.AddIndex(index);
            }
            return informer;
        });
        services.TryAddSingleton<IObjectCache<T>>(sp => sp.GetRequiredService<ResourceInformer<T>>());
    }

    private static ILeaderElection CreateElection(IServiceProvider sp)
    {
        var options = sp.GetRequiredService<IOptions<ControllerOptions>>().Value.LeaderElection;
        if (!options.Enabled)
        {
            return new SingleInstanceElection();
        }
        return new LeaseLeaderElection(
            sp.GetRequiredService<IKubernetes>(), options, sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<LeaseLeaderElection>>());
    }
}
