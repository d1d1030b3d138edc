using System.Collections.Concurrent;
using ImageBuilder.Operator.Api;
using ImageBuilder.Operator.Controllers.Client;
using ImageBuilder.Operator.Controllers.Hosting;
using k8s;
using k8s.Models;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace ImageBuilder.Testing.Operators;

/// <summary>
/// What an in-process operator has taken in, for tests that claim "nothing else happens": instead of
/// waiting a fixed time, they wait until the operator has received every watch event up to the objects'
/// current resourceVersions and has no reconcile queued or running. Then any write those events could
/// cause has already happened. Attach before the objects change: an informer does not replay past events.
/// </summary>
public sealed class OperatorProgress : IInformerHandler<ImageBuild>, IInformerHandler<V1Job>
{
    private readonly ConcurrentDictionary<string, string> _seen = new(StringComparer.Ordinal);
    private readonly ControllerHost<ImageBuild> _controller;

    private OperatorProgress(ControllerHost<ImageBuild> controller) => _controller = controller;

    /// <summary>
    /// Registers after the controller's own handlers (added when the host started), so an event seen here
    /// has already put its key on the work queue.
    /// </summary>
    public static OperatorProgress Attach(OperatorHost host)
    {
        ArgumentNullException.ThrowIfNull(host);
        var progress = new OperatorProgress(host.Services.GetServices<IHostedService>().OfType<ControllerHost<ImageBuild>>().Single());
        host.Services.GetRequiredService<ResourceInformer<ImageBuild>>().AddHandler(progress);
        host.Services.GetRequiredService<ResourceInformer<V1Job>>().AddHandler(progress);
        return progress;
    }

    /// <summary>True when every object was delivered at its given resourceVersion.</summary>
    public bool Received(IEnumerable<IKubernetesObject<V1ObjectMeta>> objects)
    {
        ArgumentNullException.ThrowIfNull(objects);
        return objects.All(o => _seen.TryGetValue(Key(o), out var version) && version == o.Metadata.ResourceVersion);
    }

    /// <summary>
    /// No reconcile queued or running. Delayed requeues (a watchdog, a retry timer) do not count: they are
    /// timers a build asked for, not reactions to what it received.
    /// </summary>
    public bool Idle => _controller.Queue.IsIdle;

    /// <summary>Reconciles running now (a follower runs none).</summary>
    public int InFlight => _controller.Queue.InFlightCount;

    public void OnAdd(ImageBuild obj) => Record(obj);

    public void OnUpdate(ImageBuild oldObj, ImageBuild newObj) => Record(newObj);

    public void OnDelete(ImageBuild obj) => Record(obj);

    public void OnAdd(V1Job obj) => Record(obj);

    public void OnUpdate(V1Job oldObj, V1Job newObj) => Record(newObj);

    public void OnDelete(V1Job obj) => Record(obj);

    private void Record(IKubernetesObject<V1ObjectMeta> obj) => _seen[Key(obj)] = obj.Metadata.ResourceVersion;

    // By type: listed items carry no kind, watched ones do.
    private static string Key(IKubernetesObject<V1ObjectMeta> obj) => $"{obj.GetType().Name}/{obj.Metadata.NamespaceProperty}/{obj.Metadata.Name}";
}
