using ImageBuilder.Operator.Api;
using k8s.Models;

namespace ImageBuilder.Operator.Builds;

/// <summary>Why a finished build Job failed, and whose fault it was.</summary>
internal static class BuildFailureClassifier
{
    private static readonly string[] LostPodReasons = ["NodeLost", "Shutdown", "Terminated", "NodeAffinity", "UnexpectedAdmissionError", "OutOfcpu", "OutOfmemory"];

    public static BuildFailure Classify(V1Job job, V1Pod? pod, int attempt)
    {
        var failed = FailedContainer(pod);
        var report = TerminationMessage.TryParse(failed?.State?.Terminated?.Message);
        var logTail = report?.LogTail ?? failed?.State?.Terminated?.Message;
        var failure = PodFailure(job, pod, failed) ?? (report is not null ? FromReport(report) : Unreported(job, failed));
        return failure with { LogTail = failure.LogTail ?? logTail, Attempt = attempt };
    }

    /// <summary>Failures of the platform around the build, whatever the scripts said.</summary>
    private static BuildFailure? PodFailure(V1Job job, V1Pod? pod, V1ContainerStatus? failed)
    {
        var condition = job.Status?.Conditions?.FirstOrDefault(c => c.Type == "Failed" && c.Status == "True");
        if (condition?.Reason == "DeadlineExceeded" || pod?.Status?.Reason == "DeadlineExceeded")
        {
            return Service(BuildReasons.BuildTimedOut, $"The build did not finish within {job.Spec?.ActiveDeadlineSeconds ?? 0} seconds.");
        }
        if (pod?.Status?.Reason == "Evicted")
        {
            return Service(BuildReasons.PodEvicted, $"The build pod was evicted: {pod.Status.Message}".TrimEnd(' ', ':') + ".");
        }
        if (pod?.Status?.Reason is { Length: > 0 } reason && LostPodReasons.Contains(reason, StringComparer.Ordinal))
        {
            return Service(BuildReasons.PodLost, $"The build pod was stopped by its node ({reason}).");
        }
        if (failed?.State?.Terminated?.Reason == "OOMKilled")
        {
            return Service(BuildReasons.OutOfMemory, $"The '{failed.Name}' container ran out of memory.");
        }
        if (pod is null)
        {
            return Service(BuildReasons.PodLost, "The build pod disappeared before it reported a result.");
        }
        return null;
    }

    private static BuildFailure FromReport(TerminationMessage report)
    {
        var said = Sentence(report.Error);
        return report.Stage switch
        {
            BuildStages.Fetch when report.HttpStatus is 401 or 403 =>
                User(BuildReasons.SourceAccessDenied, $"The source host refused access to the repository (HTTP {report.HttpStatus}); check the token's permissions."),
            BuildStages.Fetch when report.HttpStatus == 404 =>
                User(BuildReasons.SourceNotFound, "The repository or commit was not found (HTTP 404)."),
            BuildStages.Fetch => Service(BuildReasons.FetchFailed, said ?? "Downloading the source failed."),
            // The platform's plan image is wrong, not the repository: retried, and the message says what to install.
            BuildStages.Plan when report.Reason == BuildReasons.NixpacksUnavailable => Service(BuildReasons.NixpacksUnavailable, said ?? "The plan image has no nixpacks."),
            BuildStages.Plan => User(BuildReasons.PlanFailed, said ?? "The build could not be planned."),
            BuildStages.Build when report.Reason == BuildReasons.BuildKitUnavailable => Service(BuildReasons.BuildKitUnavailable, said ?? "BuildKit did not start."),
            BuildStages.Build when report.Reason == BuildReasons.RegistryUnavailable => Service(BuildReasons.RegistryUnavailable, said ?? "The registry could not be reached."),
            BuildStages.Build => User(BuildReasons.BuildFailed, "The image build failed; see the build output."),
            BuildStages.Push => Service(BuildReasons.PushFailed, said ?? "Pushing the image failed."),
            _ => Service(BuildReasons.BuildInfrastructureFailed, said ?? $"The build failed at stage '{report.Stage}'."),
        };
    }

    /// <summary>A container died without its report: the script itself could not run (missing image tool, killed).</summary>
    private static BuildFailure Unreported(V1Job job, V1ContainerStatus? failed)
    {
        var terminated = failed?.State?.Terminated;
        var message = terminated is null
            ? $"The build Job failed: {job.Status?.Conditions?.FirstOrDefault(c => c.Type == "Failed")?.Message ?? "no container reported why"}."
            : $"The '{failed!.Name}' container exited with code {terminated.ExitCode}{(string.IsNullOrEmpty(terminated.Reason) ? "" : $" ({terminated.Reason})")} without reporting why.";
        return Service(BuildReasons.BuildInfrastructureFailed, message);
    }

    /// <summary>The first container that exited non-zero: init containers run first, in order.</summary>
    private static V1ContainerStatus? FailedContainer(V1Pod? pod) =>
        (pod?.Status?.InitContainerStatuses ?? []).Concat(pod?.Status?.ContainerStatuses ?? [])
            .FirstOrDefault(s => s.State?.Terminated is { ExitCode: not 0 });

    private static string? Sentence(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }
        var trimmed = text.Trim();
        return char.ToUpperInvariant(trimmed[0]) + trimmed[1..] + (trimmed.EndsWith('.') ? "" : ".");
    }

    private static BuildFailure User(string reason, string message) => new() { Fault = Faults.User, Reason = reason, Message = message };

    private static BuildFailure Service(string reason, string message) => new() { Fault = Faults.Service, Reason = reason, Message = message };
}
