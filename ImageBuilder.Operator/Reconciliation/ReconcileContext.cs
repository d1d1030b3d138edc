using ImageBuilder.Operator.Api;
using k8s.Models;

namespace ImageBuilder.Operator.Reconciliation;

/// <summary>
/// One reconcile's working state: the object as read, and the status being computed on a copy,
/// written once at the end only if it changed (cert-manager style).
/// </summary>
public sealed class ReconcileContext
{
    public ReconcileContext(ImageBuild build, ImageBuildStatus status, DateTimeOffset now)
    {
        Build = build;
        Status = status;
        Now = now;
    }

    public ImageBuild Build { get; }

    /// <summary>The new status; steps change only this.</summary>
    public ImageBuildStatus Status { get; }

    public DateTimeOffset Now { get; }

    public string Namespace => Build.Metadata.NamespaceProperty;

    public string Name => Build.Metadata.Name;

    /// <summary>1-based number of the current attempt.</summary>
    public int Attempt => Status.Retries + 1;

    /// <summary>The user's token, read from the Secret by the step that needs it; never logged or stored.</summary>
    public string? Token { get; set; }

    /// <summary>Where the build Job fetches the source, set by source resolution.</summary>
    public string? ArchiveUrl { get; set; }

    public string? CloneUrl { get; set; }

    /// <summary>Events to record after the status write, so one reconcile emits each state change once.</summary>
    public List<(string Type, string Reason, string Message)> Events { get; } = [];

    public bool IsTerminal => Phases.IsTerminal(Status.Phase);

    public void Event(string reason, string message, bool warning = false) =>
        Events.Add((warning ? "Warning" : "Normal", reason, message));

    /// <summary>Sets a condition; its transition time moves only when its status does (API conventions).</summary>
    public void SetCondition(string type, string status, string reason, string message)
    {
        var conditions = Status.Conditions ??= [];
        var existing = conditions.FirstOrDefault(c => c.Type == type);
        var transition = existing is not null && existing.Status == status ? existing.LastTransitionTime : Now.UtcDateTime;
        conditions.Remove(existing!);
        conditions.Add(new V1Condition
        {
            Type = type,
            Status = status,
            Reason = reason,
            Message = message,
            LastTransitionTime = transition,
            ObservedGeneration = Build.Metadata.Generation,
        });
        conditions.Sort((a, b) => string.CompareOrdinal(a.Type, b.Type));
    }
}
