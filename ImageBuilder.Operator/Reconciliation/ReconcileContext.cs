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
        _phase = status?.Phase;
    }

    // The phase as MoveTo left it: a step that wrote status.phase around MoveTo is caught by the runner (PhaseBypassed).
    private string? _phase;

    public ImageBuild Build { get; }

    /// <summary>The new status; steps change only this.</summary>
    public ImageBuildStatus Status { get; }

    public DateTimeOffset Now { get; }

    public string Namespace => Build.Metadata.NamespaceProperty;

    public string Name => Build.Metadata.Name;

    /// <summary>1-based number of the current attempt.</summary>
    public int Attempt => Status.Retries + 1;

    /// <summary>Events to record after the status write, so one reconcile emits each state change once.</summary>
    public List<(string Type, string Reason, string Message)> Events { get; } = [];

    public bool IsTerminal => Phases.IsTerminal(Status.Phase);

    /// <summary>The step running now (set by <see cref="StepRunner"/>); null when a step runs on its own, as in a unit test.</summary>
    public string? Step { get; internal set; }

    /// <summary>
    /// What Ready should say after this reconcile: the last thing that happened to the build (a phase move with its
    /// reason, or the runner's word on an error), null when nothing did. <see cref="ReadySummary"/> writes it, once, at the end.
    /// </summary>
    public ReadyVerdict? Ready { get; internal set; }

    /// <summary>
    /// Moves the build to <paramref name="phase"/> (or keeps it there) for <paramref name="reason"/>; the move must be in
    /// <see cref="BuildLifecycle.Transitions"/> for the running step, else it is refused (a bug, reported as a reconcile error).
    /// Ready follows the move: True in Succeeded, Unknown for a new build's first phase, False otherwise.
    /// </summary>
    public void MoveTo(string phase, string reason, string message)
    {
        var from = Status.Phase;
        if (!BuildLifecycle.Allows(from, phase, Step))
        {
            throw new InvalidOperationException($"Phase {from ?? "(new)"} -> {phase} by {Step} is not a move of the build lifecycle (BuildLifecycle.Transitions).");
        }
        Status.Phase = _phase = phase;
        Ready = new ReadyVerdict(phase == Phases.Succeeded ? "True" : from is null ? "Unknown" : "False", reason, message);
    }

    /// <summary>True when the phase was written without <see cref="MoveTo"/>, past the table's check.</summary>
    internal bool PhaseBypassed => Status.Phase != _phase;

    /// <summary>Sets what Ready should say without a phase move (the runner's error path: <see cref="ReconcileErrors"/>).</summary>
    public void ReportReady(string status, string reason, string message) => Ready = new ReadyVerdict(status, reason, message);

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
