using ImageBuilder.Operator.Api;
using ImageBuilder.Operator.Controllers;
using ImageBuilder.Operator.Controllers.Client;

namespace ImageBuilder.Operator.Dashboard;

/// <summary>
/// Fans the ImageBuild informer's changes out to the open dashboard pages. Fed by the same watch as the controller,
/// so the page costs the API server nothing; resyncs (the same object announced again) are not passed on.
/// </summary>
public sealed class BuildFeed : IInformerHandler<ImageBuild>, IHostedService
{
    private readonly ResourceInformer<ImageBuild> _informer;
    private readonly Lock _gate = new();
    private BuildFeedSubscription[] _subscribers = [];

    public BuildFeed(ResourceInformer<ImageBuild> informer)
    {
        ArgumentNullException.ThrowIfNull(informer);
        _informer = informer;
    }

    public IObjectCache<ImageBuild> Cache => _informer;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _informer.AddHandler(this);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Subscribe before reading the snapshot, so no change falls between the two.</summary>
    public BuildFeedSubscription Subscribe()
    {
        var subscription = new BuildFeedSubscription(Unsubscribe);
        lock (_gate)
        {
            _subscribers = [.. _subscribers, subscription];
        }
        return subscription;
    }

    /// <summary>Every build in the cache, newest first.</summary>
    public IReadOnlyList<BuildSummary> Snapshot() =>
        [.. _informer.List().Select(BuildViews.Summary).OrderByDescending(b => b.Created).ThenBy(b => b.Name, StringComparer.Ordinal)];

    public void OnAdd(ImageBuild obj) => Publish(new BuildChange(BuildViews.Summary(obj), Deleted: false));

    public void OnUpdate(ImageBuild oldObj, ImageBuild newObj)
    {
        if (ReferenceEquals(oldObj, newObj))
        {
            return;
        }
        Publish(new BuildChange(BuildViews.Summary(newObj), Deleted: false));
    }

    public void OnDelete(ImageBuild obj) => Publish(new BuildChange(BuildViews.Summary(obj), Deleted: true));

    private void Publish(BuildChange change)
    {
        foreach (var subscriber in Volatile.Read(ref _subscribers))
        {
            subscriber.Offer(change);
        }
    }

    private void Unsubscribe(BuildFeedSubscription subscription)
    {
        lock (_gate)
        {
            _subscribers = [.. _subscribers.Where(s => !ReferenceEquals(s, subscription))];
        }
    }
}
