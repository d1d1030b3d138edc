namespace ImageBuilder.Operator.Controllers.Client;

/// <summary>
/// A <see cref="ResourceInformer{T}"/> seen without its type: what a controller host needs to run the informers of
/// the types it watches, whatever they are.
/// </summary>
public interface IInformer
{
    /// <summary>The watched type's name, for logs.</summary>
    string Kind { get; }

    /// <summary>Objects in the cache now.</summary>
    int Count { get; }

    /// <summary>Lists and watches until <paramref name="cancellationToken"/> is cancelled.</summary>
    Task RunAsync(CancellationToken cancellationToken);

    /// <summary>Completes once the first full list has been loaded.</summary>
    Task WaitForSyncAsync(CancellationToken cancellationToken);
}
