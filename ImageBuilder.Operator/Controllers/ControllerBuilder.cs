using ImageBuilder.Operator.Controllers.Client;
using ImageBuilder.Operator.Controllers.Hosting;
using k8s;
using k8s.Models;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace ImageBuilder.Operator.Controllers;

/// <summary>
/// What the controller of <typeparamref name="TPrimary"/> watches besides its primary type (controller-runtime's
/// builder): the types it owns, whose changes reconcile their owner, and types whose changes a mapper turns into
/// primary keys. Each watched type gets one informer, scoped to <see cref="ControllerOptions.Namespace"/> and a label
/// selector, readable as <see cref="IObjectCache{T}"/>.
/// </summary>
public sealed class ControllerBuilder<TPrimary>
    where TPrimary : class, IKubernetesObject<V1ObjectMeta>
{
    // One informer per type, so every watch of a type must agree on what it lists.
    private readonly Dictionary<Type, string?> _selectors = new() { [typeof(TPrimary)] = null };

    internal ControllerBuilder(IServiceCollection services) => Services = services;

    public IServiceCollection Services { get; }

    /// <summary>
    /// Watches the <typeparamref name="TOwned"/> objects the primary objects own (controller-runtime's Owns): each add,
    /// change or delete reconciles the owner named by the object's ownerReference, or failing that by its
    /// <paramref name="ownerLabel"/> label. Owned objects are not resynced on their own: the owner's resync covers them.
    /// </summary>
    /// <param name="labelSelector">Lists and watches only these objects (e.g. those this controller made); null for all.</param>
    /// <param name="ownerLabel">A label holding the owner's name, for objects whose ownerReference is missing; null for none.</param>
    public ControllerBuilder<TPrimary> Owns<TOwned>(string? labelSelector = null, string? ownerLabel = null)
        where TOwned : class, IKubernetesObject<V1ObjectMeta>
    {
        AddInformer<TOwned>(labelSelector);
        Services.AddSingleton<IControllerWatch<TPrimary>>(sp => new InformerWatch<TPrimary, TOwned>(
            sp.GetRequiredService<ResourceInformer<TOwned>>(), queue => new EnqueueOwner<TPrimary, TOwned>(queue, ownerLabel)));
        return this;
    }

    /// <summary>
    /// Watches <typeparamref name="TWatched"/> objects and reconciles the keys <typeparamref name="TMapper"/> (a
    /// singleton) names for each change (controller-runtime's Watches with EnqueueRequestsFromMapFunc).
    /// </summary>
    /// <param name="labelSelector">Lists and watches only these objects; the same selector as any other watch of the type.</param>
    public ControllerBuilder<TPrimary> Watches<TWatched, TMapper>(string? labelSelector = null)
        where TWatched : class, IKubernetesObject<V1ObjectMeta>
        where TMapper : class, IKeyMapper<TPrimary, TWatched>
    {
        AddInformer<TWatched>(labelSelector);
        Services.TryAddSingleton<TMapper>();
        Services.AddSingleton<IControllerWatch<TPrimary>>(sp => new InformerWatch<TPrimary, TWatched>(
            sp.GetRequiredService<ResourceInformer<TWatched>>(), queue => new EnqueueMapped<TPrimary, TWatched>(queue, sp.GetRequiredService<TMapper>())));
        return this;
    }

    private void AddInformer<T>(string? labelSelector)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        var selector = string.IsNullOrEmpty(labelSelector) ? null : labelSelector;
        if (_selectors.TryGetValue(typeof(T), out var known))
        {
            if (known != selector)
            {
                throw new ArgumentException(
                    $"{typeof(T).Name} is already watched with selector '{known}'; one informer serves every watch of a type, so each must name the same selector",
                    nameof(labelSelector));
            }
            return;
        }
        _selectors[typeof(T)] = selector;
        ControllerServiceCollectionExtensions.AddInformer<T>(Services, selector, resync: false);
    }
}
