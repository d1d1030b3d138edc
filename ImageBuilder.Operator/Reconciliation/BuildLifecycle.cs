using System.Text;
using ImageBuilder.Operator.Api;
using ImageBuilder.Operator.Reconciliation.Steps;

namespace ImageBuilder.Operator.Reconciliation;

/// <summary>
/// The phases of an ImageBuild and every move between them, as data: which step may make it and why. The steps run
/// in the order <see cref="ImageBuildReconciler"/> lists them; a step changes the phase only through
/// <see cref="ReconcileContext.MoveTo"/>, which refuses a move this table does not hold, so the table and the code
/// cannot drift apart (a refused move is a bug: it shows on the ImageBuild as a ReconcileError, never as a silent state).
/// Staying in a phase is not a move (a build waiting in Queued is admitted again on each reconcile).
/// </summary>
public static class BuildLifecycle
{
    // Who moves a phase: a step (named as StepRunner names it), or the runner when a step threw too often in a row
    // (ReconcileErrors ends the attempt as a service fault).
    private static readonly string Accept = StepRunner.StepName(typeof(AcceptStep));
    private static readonly string Cancel = StepRunner.StepName(typeof(CancelStep));
    private static readonly string Validate = StepRunner.StepName(typeof(ValidateStep));
    private static readonly string Supersede = StepRunner.StepName(typeof(SupersedeStep));
    private static readonly string Retry = StepRunner.StepName(typeof(RetryStep));
    private static readonly string ResolveSource = StepRunner.StepName(typeof(ResolveSourceStep));
    private static readonly string CacheCheck = StepRunner.StepName(typeof(CacheCheckStep));
    private static readonly string Admission = StepRunner.StepName(typeof(AdmissionStep));
    private static readonly string EnsureJob = StepRunner.StepName(typeof(EnsureJobStep));
    private static readonly string ObserveJob = StepRunner.StepName(typeof(ObserveJobStep));
    private static readonly string Notify = StepRunner.StepName(typeof(NotifyStep));

    /// <summary>The phases of a build that has not finished.</summary>
    public static readonly IReadOnlyList<string> Working = [Phases.Pending, Phases.Queued, Phases.Building, Phases.Retrying];

    /// <summary>The phases before the current attempt has its Job.</summary>
    private static readonly string?[] Starting = [Phases.Pending, Phases.Queued];

    /// <summary>Every phase, in the order a build meets them.</summary>
    public static readonly IReadOnlyList<string> AllPhases =
        [Phases.Pending, Phases.Queued, Phases.Building, Phases.Retrying, Phases.Succeeded, Phases.Failed, Phases.Superseded, Phases.Cancelled];

    // Each step that can end an attempt does so through BuildOutcomes.FailAsync.
    private static readonly string[] AttemptEnders =
        [Validate, ResolveSource, CacheCheck, EnsureJob, ObserveJob, StepRunner.ErrorPath];

    /// <summary>The allowed moves. <c>From</c> null is a new ImageBuild (no status yet).</summary>
    public static readonly IReadOnlyList<PhaseTransition> Transitions = Expand(
        ([null], Phases.Pending, [Accept, StepRunner.ErrorPath], "a new ImageBuild is accepted and waits to start"),
        ([.. Working], Phases.Cancelled, [Cancel], "the cancel annotation: Job and token Secret deleted, nobody notified"),
        ([.. Working], Phases.Superseded, [Supersede], "a newer request for the same application and ref: nobody notified"),
        ([.. Working], Phases.Failed, AttemptEnders, "the attempt failed for good: a user fault, or the retry limit reached"),
        ([.. Working], Phases.Retrying, AttemptEnders, "the attempt failed with a fault that is retried: the fail queue holds the next one"),
        ([Phases.Retrying], Phases.Pending, [Retry], "the fail queue released the next attempt"),
        (Starting, Phases.Pending, [ResolveSource], "the token Secret is missing: the build waits for it, then fails"),
        (Starting, Phases.Queued, [Admission], "no build slot is free for it"),
        (Starting, Phases.Building, [EnsureJob], "the attempt's build Job was created"),
        (Starting, Phases.Succeeded, [CacheCheck], "the image of the commit is already in the registry: no Job"),
        ([Phases.Building], Phases.Succeeded, [ObserveJob], "the Job pushed the image"),
        ([Phases.Succeeded], Phases.Superseded, [Notify], "a newer build of the same application was announced first: not announced"));

    /// <summary>
    /// True when <paramref name="by"/> may move a build from <paramref name="from"/> to <paramref name="to"/>.
    /// A null <paramref name="by"/> (a step run on its own, as unit tests do) checks the phases only.
    /// </summary>
    public static bool Allows(string? from, string to, string? by) =>
        from == to || Transitions.Any(t => t.From == from && t.To == to && (by is null || t.By == by));

    /// <summary>True when the current attempt has no Job yet: only then are the source, the registry and a slot needed.</summary>
    public static bool NeedsJob(ReconcileContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return !context.IsTerminal && context.Status.Phase != Phases.Retrying
            && context.Status.Job != JobNames.For(context.Build, context.Attempt);
    }

    /// <summary>The table as text, one move per line (the unit test prints it; the report and reviews quote it).</summary>
    public static string Describe()
    {
        var text = new StringBuilder();
        foreach (var group in Transitions.GroupBy(t => (t.From, t.To, t.Why)))
        {
            text.Append((group.Key.From ?? "(new)").PadRight(11)).Append(" -> ").Append(group.Key.To.PadRight(11))
                .Append(" by ").Append(string.Join(", ", group.Select(t => t.By).Distinct()))
                .Append(": ").AppendLine(group.Key.Why);
        }
        return text.ToString();
    }

    private static PhaseTransition[] Expand(params (string?[] From, string To, string[] By, string Why)[] rows) =>
        [.. from row in rows from f in row.From from b in row.By select new PhaseTransition(f, row.To, b, row.Why)];
}
