namespace ImageBuilder.Operator.Dashboard;

/// <summary>Everything the one-build view shows: the row, conditions, Events, the last failure, Jobs and the notification.</summary>
public sealed record BuildDetail
{
    public required BuildSummary Build { get; init; }

    /// <summary><c>dockerfile</c>, <c>nixpacks</c> or empty; the plan's env values are never shown.</summary>
    public string? Builder { get; init; }

    public int? MaxRetries { get; init; }

    public int? TimeoutSeconds { get; init; }

    public long? Generation { get; init; }

    public long? ObservedGeneration { get; init; }

    public DateTimeOffset? NextAttemptTime { get; init; }

    public string? CurrentJob { get; init; }

    public IReadOnlyList<ConditionView> Conditions { get; init; } = [];

    public FailureView? LastFailure { get; init; }

    public NotificationView? Notification { get; init; }

    public IReadOnlyList<JobView> Jobs { get; init; } = [];

    public IReadOnlyList<EventView> Events { get; init; } = [];

    /// <summary>Why Events could not be read (e.g. RBAC), shown instead of an empty table that would mislead.</summary>
    public string? EventsError { get; init; }
}
