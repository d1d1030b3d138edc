using ImageBuilder.Operator.Api;

namespace ImageBuilder.Operator.Reconciliation;

/// <summary>Where the newest announced build of each application is recorded; <see cref="NotificationOrder"/> on the apiserver.</summary>
public interface INotificationOrder
{
    /// <summary>Holds the application's lock until disposed; take it before <see cref="ClaimAsync"/> and keep it through the publish.</summary>
    Task<IDisposable> LockAsync(string application, CancellationToken cancellationToken);

    /// <summary>Null when the build may be announced (the record now names it), else the namespace/name of the newer build announced first.</summary>
    Task<string?> ClaimAsync(ImageBuild build, CancellationToken cancellationToken);
}
