using System.Globalization;
using ImageBuilder.Operator.Api;
using ImageBuilder.Operator.Options;
using ImageBuilder.Operator.Reconciliation.Admission;
using Microsoft.Extensions.Options;

namespace ImageBuilder.Operator.Reconciliation.Steps;

/// <summary>
/// Holds a build that needs a Job until a build slot is free for it (<see cref="BuildSlots"/>, fair across users by
/// <see cref="FairShare"/>): phase Queued with its place in the queue. Runs after the source is resolved and the
/// registry checked, so a bad ref fails at once and an image already pushed never waits; every attempt passes here,
/// so a retry needs a slot too. Sets: no condition.
/// </summary>
public sealed class AdmissionStep(BuildSlots slots, IOptions<BuildOptions> buildOptions) : IReconcileStep
{
    // A freed slot wakes the queued builds through the Job watch (QueuedBuildsOnFreedSlot); this poll only covers a
    // slot freed without a Job event (a reservation given back) and a build ahead that left the queue another way.
    public static readonly TimeSpan SafetyPoll = TimeSpan.FromSeconds(30);

    // A build ahead that is still arriving (Pending) usually reaches admission within a reconcile or turns out to need
    // no slot (an image already pushed, a bad ref): neither brings a Job event, so look again soon.
    public static readonly TimeSpan ArrivingPoll = TimeSpan.FromSeconds(2);

    private readonly BuildOptions _options = buildOptions.Value;

    public Task<StepResult> RunAsync(ReconcileContext context, CancellationToken cancellationToken)
    {
        var status = context.Status;
        if (!BuildLifecycle.NeedsJob(context) || status.Commit is null || status.Image is null)
        {
            return Task.FromResult(StepResult.Continue());
        }
        var decision = slots.TryAdmit(context);
        if (decision.Admitted)
        {
            status.QueuePosition = null;
            status.QueuedSince = null;
            return Task.FromResult(StepResult.Continue());
        }
        var message = Message(decision);
        if (status.Phase != Phases.Queued)
        {
            context.Event(Reasons.WaitingForBuildSlot, message);
        }
        context.MoveTo(Phases.Queued, Reasons.WaitingForBuildSlot, message);
        status.QueuedSince ??= context.Now.UtcDateTime;
        status.QueuePosition = decision.Position;
        return Task.FromResult(StepResult.RequeueAfterDelay(decision.BehindArriving ? ArrivingPoll : SafetyPoll));
    }

    private string Message(AdmissionDecision decision)
    {
        var held = decision.HeldBy == SlotHold.PerUser
            ? $"its user runs {decision.UserRunning} of the {_options.MaxConcurrentBuildsPerUser} builds allowed per user (Build:MaxConcurrentBuildsPerUser)"
            : decision.Running >= _options.MaxConcurrentBuilds
                ? $"all {_options.MaxConcurrentBuilds} build slots are in use (Build:MaxConcurrentBuilds)"
                : $"{decision.Running} of {_options.MaxConcurrentBuilds} build slots are in use and the free ones go to builds ahead of it (Build:MaxConcurrentBuilds)";
        return string.Create(CultureInfo.InvariantCulture, $"Waiting for a build slot at position {decision.Position} in the queue: {held}.");
    }
}
