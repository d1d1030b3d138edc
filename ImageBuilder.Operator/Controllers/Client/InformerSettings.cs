namespace ImageBuilder.Operator.Controllers.Client;

/// <summary>Timing of one <see cref="ResourceInformer{T}"/>.</summary>
public sealed record InformerSettings
{
    /// <summary>How often every cached object is re-announced through <see cref="IInformerHandler{T}.OnUpdate"/>; zero turns resync off.</summary>
    public TimeSpan ResyncPeriod { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>The server closes each watch after this long; the informer then resumes from the last resourceVersion.</summary>
    public TimeSpan WatchTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>A watch that has not ended this long after <see cref="WatchTimeout"/> is presumed dead and dropped.</summary>
    public TimeSpan WatchGrace { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>First delay after a failed list or watch; it doubles per consecutive failure up to <see cref="MaxBackoff"/>.</summary>
    public TimeSpan InitialBackoff { get; init; } = TimeSpan.FromSeconds(1);

    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(30);
}
