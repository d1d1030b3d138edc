using ImageBuilder.Operator.Api;
using ImageBuilder.Operator.Reconciliation;
using k8s.Models;

namespace ImageBuilder.Operator.Dashboard;

/// <summary>Maps ImageBuilds, Jobs and Events to the dashboard's views, copying only the fields it shows.</summary>
public static class BuildViews
{
    public static BuildSummary Summary(ImageBuild build)
    {
        ArgumentNullException.ThrowIfNull(build);
        var status = build.Status;
        var source = build.Spec.Source;
        return new BuildSummary
        {
            Namespace = build.Metadata.NamespaceProperty ?? "",
            Name = build.Metadata.Name ?? "",
            Uid = build.Metadata.Uid ?? "",
            User = build.Spec.UserId,
            Application = build.Spec.ApplicationId,
            Connector = source.Connector,
            Repo = source.Repo,
            Ref = status?.Ref ?? RequestedRef(source),
            Commit = status?.Commit,
            Phase = status?.Phase ?? "",
            Reason = status?.Conditions?.FirstOrDefault(c => c.Type == ConditionTypes.Ready)?.Reason,
            Retries = status?.Retries ?? 0,
            Image = status?.Image,
            Digest = status?.Digest,
            Created = Utc(build.Metadata.CreationTimestamp),
            Started = Utc(status?.StartTime),
            Completed = Utc(status?.CompletionTime),
        };
    }

    public static BuildDetail Detail(ImageBuild build, IEnumerable<V1Job> jobs, IReadOnlyList<EventView> events, string? eventsError)
    {
        ArgumentNullException.ThrowIfNull(build);
        var status = build.Status;
        return new BuildDetail
        {
            Build = Summary(build),
            Builder = build.Spec.BuildPlan?.Builder,
            MaxRetries = build.Spec.MaxRetries,
            TimeoutSeconds = build.Spec.TimeoutSeconds,
            Generation = build.Metadata.Generation,
            ObservedGeneration = status?.ObservedGeneration,
            NextAttemptTime = Utc(status?.NextAttemptTime),
            CurrentJob = status?.Job,
            Conditions = [.. (status?.Conditions ?? []).Select(c => new ConditionView(c.Type, c.Status, c.Reason, c.Message, Utc(c.LastTransitionTime)))],
            LastFailure = status?.LastFailure is { } f ? new FailureView(f.Fault, f.Reason, f.Message, f.LogTail, f.Attempt) : null,
            Notification = status?.Notification is { } n ? new NotificationView(n.Queue, n.MessageId, Utc(n.ConfirmedTime)) : null,
            Jobs = [.. jobs.Select(Job).OrderByDescending(j => j.Started)],
            Events = events,
            EventsError = eventsError,
        };
    }

    public static JobView Job(V1Job job)
    {
        ArgumentNullException.ThrowIfNull(job);
        var s = job.Status;
        var finished = s?.Conditions?.FirstOrDefault(c => c.Status == "True" && c.Type is "Complete" or "Failed");
        var state = finished?.Type switch
        {
            "Complete" => "Complete",
            "Failed" => "Failed",
            _ => (s?.Active ?? 0) > 0 ? "Running" : "Pending",
        };
        return new JobView(
            job.Metadata.Name ?? "",
            job.Metadata.Labels is { } labels && labels.TryGetValue(Annotations.AttemptLabel, out var attempt) ? attempt : null,
            state,
            s?.Active ?? 0,
            s?.Succeeded ?? 0,
            s?.Failed ?? 0,
            Utc(s?.StartTime),
            Utc(s?.CompletionTime),
            finished?.Message ?? finished?.Reason);
    }

    public static EventView Event(Corev1Event e)
    {
        ArgumentNullException.ThrowIfNull(e);
        var last = e.LastTimestamp ?? e.EventTime ?? e.FirstTimestamp ?? e.Metadata?.CreationTimestamp;
        return new EventView(e.Type ?? "", e.Reason ?? "", e.Message ?? "", e.Count ?? 1, Utc(last));
    }

    /// <summary>The spec's ref in status.ref's words, for a build the operator has not accepted yet.</summary>
    private static string RequestedRef(SourceSpec source) => source.Type switch
    {
        RefTypes.Tag => $"tag {source.Tag}",
        RefTypes.Release => $"release {source.Release}",
        RefTypes.Commit => $"commit {source.Commit}",
        _ => string.IsNullOrEmpty(source.Branch) ? "default branch" : $"branch {source.Branch}",
    };

    /// <summary>Kubernetes times are UTC; the client may hand them over with an unspecified kind.</summary>
    private static DateTimeOffset? Utc(DateTime? time) => time switch
    {
        null => null,
        { Kind: DateTimeKind.Unspecified } t => new DateTimeOffset(DateTime.SpecifyKind(t, DateTimeKind.Utc)),
        { } t => new DateTimeOffset(t.ToUniversalTime()),
    };
}
