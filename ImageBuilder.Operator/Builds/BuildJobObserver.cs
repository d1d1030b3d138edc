using System.Globalization;
using System.Text.RegularExpressions;
using ImageBuilder.Operator.Api;
using k8s.Models;

namespace ImageBuilder.Operator.Builds;

/// <summary>
/// Reads a build Job and its pod into a <see cref="JobOutcome"/>, classifying failures as
/// <c>user</c> or <c>service</c>. Pure: the caller passes the clock's time, so it is tested with tables.
/// Pod-level trouble (deadline, eviction, OOM, lost node, never started) is the platform's;
/// what the scripts report decides the rest, by stage (see <see cref="BuildScripts"/>).
/// </summary>
public sealed partial class BuildJobObserver
{
    public JobOutcome Observe(V1Job job, V1Pod? pod, DateTimeOffset now, TimeSpan pendingTimeout)
    {
        ArgumentNullException.ThrowIfNull(job);
        var attempt = Attempt(job);
        if (HasCondition(job, "Complete") || pod?.Status?.Phase == "Succeeded")
        {
            return Success(pod, attempt);
        }
        if (HasCondition(job, "Failed") || pod?.Status?.Phase == "Failed")
        {
            return new JobOutcome.Failed(BuildFailureClassifier.Classify(job, pod, attempt));
        }
        var since = Created(pod) ?? Created(job);
        if ((NeverStarted(pod) || StuckOnContainerStart(pod)) && since is { } created && now - created > pendingTimeout)
        {
            return new JobOutcome.PendingTooLong(NeverStartedFailure(pod, pendingTimeout, attempt));
        }
        return JobOutcome.Running.Instance;
    }

    private static JobOutcome Success(V1Pod? pod, int attempt)
    {
        var status = pod?.Status?.ContainerStatuses?.FirstOrDefault(c => c.Name == BuildJobTemplate.BuildContainer);
        var report = TerminationMessage.TryParse(status?.State?.Terminated?.Message);
        if (report is { Stage: BuildStages.Done, Digest: { } digest } && Digest().IsMatch(digest))
        {
            return new JobOutcome.Succeeded(digest, report.LogTail);
        }
        return new JobOutcome.Failed(new BuildFailure
        {
            Fault = Faults.Service,
            Reason = BuildReasons.BuildInfrastructureFailed,
            Message = "The build finished but did not report the pushed image's digest.",
            LogTail = report?.LogTail ?? status?.State?.Terminated?.Message,
            Attempt = attempt,
        });
    }

    /// <summary>True while no container of the pod has ever run (or there is no pod yet).</summary>
    private static bool NeverStarted(V1Pod? pod)
    {
        if (pod is null)
        {
            return true;
        }
        if (pod.Status?.Phase is not (null or "Pending"))
        {
            return false;
        }
        var statuses = (pod.Status?.InitContainerStatuses ?? []).Concat(pod.Status?.ContainerStatuses ?? []);
        return !statuses.Any(s => s.State?.Running is not null || s.State?.Terminated is not null || s.LastState?.Terminated is not null);
    }

    /// <summary>
    /// True when a container waits on something that will not fix itself (an image that cannot be
    /// pulled, a bad container config), even after an earlier init container ran: such a pod
    /// would otherwise sit until the build deadline.
    /// </summary>
    private static bool StuckOnContainerStart(V1Pod? pod) =>
        pod?.Status?.Phase is null or "Pending"
        && (pod?.Status?.InitContainerStatuses ?? []).Concat(pod?.Status?.ContainerStatuses ?? [])
            .Any(s => s.State?.Waiting?.Reason is "ErrImagePull" or "ImagePullBackOff" or "InvalidImageName" or "ErrImageNeverPull"
                or "CreateContainerConfigError" or "CreateContainerError");

    private static BuildFailure NeverStartedFailure(V1Pod? pod, TimeSpan pendingTimeout, int attempt)
    {
        var statuses = (pod?.Status?.InitContainerStatuses ?? []).Concat(pod?.Status?.ContainerStatuses ?? []);
        var waiting = statuses.Select(s => s.State?.Waiting).FirstOrDefault(w => !string.IsNullOrEmpty(w?.Reason) && w.Reason != "PodInitializing");
        var unscheduled = pod?.Status?.Conditions?.FirstOrDefault(c => c.Type == "PodScheduled" && c.Status == "False");
        var detail = waiting is not null ? $"{waiting.Reason}: {waiting.Message}".TrimEnd(' ', ':')
            : unscheduled is not null ? $"{unscheduled.Reason}: {unscheduled.Message}".TrimEnd(' ', ':')
            : pod is null ? "no pod was created" : "it stayed pending";
        return new BuildFailure
        {
            Fault = Faults.Service,
            Reason = BuildReasons.BuildPodNeverStarted,
            Message = $"The build pod did not start within {pendingTimeout}: {detail}.",
            Attempt = attempt,
        };
    }

    internal static bool HasCondition(V1Job job, string type) =>
        job.Status?.Conditions?.Any(c => c.Type == type && c.Status == "True") == true;

    private static int Attempt(V1Job job) =>
        job.Metadata?.Labels?.TryGetValue(Annotations.AttemptLabel, out var value) == true
            && int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var attempt) ? attempt : 0;

    private static DateTimeOffset? Created(V1Pod? pod) => ToOffset(pod?.Metadata?.CreationTimestamp);

    private static DateTimeOffset? Created(V1Job job) => ToOffset(job.Metadata?.CreationTimestamp ?? job.Status?.StartTime);

    private static DateTimeOffset? ToOffset(DateTime? time) =>
        time is { } t ? new DateTimeOffset(DateTime.SpecifyKind(t, t.Kind == DateTimeKind.Unspecified ? DateTimeKind.Utc : t.Kind)) : null;

    [GeneratedRegex("^sha256:[0-9a-f]{64}$")]
    private static partial Regex Digest();
}
