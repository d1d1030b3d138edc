using ImageBuilder.Operator.Api;
using ImageBuilder.Operator.Builds;
using k8s.Models;

namespace ImageBuilder.Operator.Tests.Builds;

/// <summary>How Job and pod states become outcomes and faults.</summary>
public sealed class BuildJobObserverTests
{
    private static readonly DateTimeOffset Created = new(2026, 11, 25, 2, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Pending = TimeSpan.FromMinutes(5);
    private readonly BuildJobObserver _observer = new();

    public static TheoryData<string, string, string, string> Failures() => new()
    {
        // case, expected fault, expected reason, a fragment of the message
        { "deadline", Faults.Service, BuildReasons.BuildTimedOut, "1800 seconds" },
        { "evicted", Faults.Service, BuildReasons.PodEvicted, "ephemeral-storage" },
        { "oom", Faults.Service, BuildReasons.OutOfMemory, "'build'" },
        { "node-lost", Faults.Service, BuildReasons.PodLost, "NodeLost" },
        { "pod-gone", Faults.Service, BuildReasons.PodLost, "disappeared" },
        { "fetch-401", Faults.User, BuildReasons.SourceAccessDenied, "HTTP 401" },
        { "fetch-403", Faults.User, BuildReasons.SourceAccessDenied, "HTTP 403" },
        { "fetch-404", Faults.User, BuildReasons.SourceNotFound, "not found" },
        { "fetch-500", Faults.Service, BuildReasons.FetchFailed, "Downloading the source archive failed." },
        { "plan-nixpacks", Faults.User, BuildReasons.PlanFailed, "nixpacks could not plan" },
        { "nixpacks-missing", Faults.Service, BuildReasons.NixpacksUnavailable, "nixpacks 1.39.0 and jq" },
        { "compile-error", Faults.User, BuildReasons.BuildFailed, "image build failed" },
        { "buildkit-unavailable", Faults.Service, BuildReasons.BuildKitUnavailable, "could not connect" },
        { "dockerfile-missing", Faults.User, BuildReasons.PlanFailed, "no Dockerfile" },
        { "push-5xx", Faults.Service, BuildReasons.PushFailed, "pushing the image" },
        { "script-missing", Faults.Service, BuildReasons.BuildInfrastructureFailed, "exited with code 127" },
        { "succeeded-no-digest", Faults.Service, BuildReasons.BuildInfrastructureFailed, "did not report" },
    };

    [Theory]
    [MemberData(nameof(Failures))]
    public void Observe_FailedJob_ClassifiesFault(string name, string fault, string reason, string fragment)
    {
        var (job, pod) = FailureCase(name);

        var outcome = _observer.Observe(job, pod, Created.AddMinutes(10), Pending);

        var failure = Assert.IsType<JobOutcome.Failed>(outcome).Failure;
        Assert.Equal((fault, reason), (failure.Fault, failure.Reason));
        Assert.Contains(fragment, failure.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(3, failure.Attempt);
    }

    [Fact]
    public void Observe_CompileError_CarriesTheLogTail()
    {
        var (job, pod) = FailureCase("compile-error");

        var failure = Assert.IsType<JobOutcome.Failed>(_observer.Observe(job, pod, Created, Pending)).Failure;

        Assert.Equal("#7 RUN make\nmain.c:3: error: expected ';'", failure.LogTail);
    }

    [Fact]
    public void Observe_ScriptMissing_UsesTheKubeletLogFallbackAsTail()
    {
        var (job, pod) = FailureCase("script-missing");

        var failure = Assert.IsType<JobOutcome.Failed>(_observer.Observe(job, pod, Created, Pending)).Failure;

        Assert.Equal("/bin/sh: buildctl-daemonless.sh: not found", failure.LogTail);
    }

    [Fact]
    public void Observe_CompleteJobWithReport_Succeeds()
    {
        var job = Job(("Complete", "True", null));
        var pod = Pod("Succeeded", main: Terminated(0, $$"""{"stage":"done","digest":"{{BuildSamples.Digest}}","image":"x","logTail":"pushed"}"""));

        var outcome = _observer.Observe(job, pod, Created.AddMinutes(1), Pending);

        Assert.Equal(new JobOutcome.Succeeded(BuildSamples.Digest, "pushed"), outcome);
    }

    public static TheoryData<string, int, bool> PendingCases() => new()
    {
        // waiting reason, minutes since creation, expect PendingTooLong
        { "ErrImagePull", 6, true },
        { "ImagePullBackOff", 6, true },
        { "InvalidImageName", 6, true },
        { "ContainerCreating", 6, true },
        { "ImagePullBackOff", 4, false },
    };

    [Theory]
    [MemberData(nameof(PendingCases))]
    public void Observe_PodNeverStarted_FailsOnlyPastThePendingTimeout(string waiting, int minutes, bool tooLong)
    {
        var job = Job();
        var pod = Pod("Pending", init: new V1ContainerState { Waiting = new V1ContainerStateWaiting { Reason = waiting, Message = "pull access denied" } });

        var outcome = _observer.Observe(job, pod, Created.AddMinutes(minutes), Pending);

        if (tooLong)
        {
            var failure = Assert.IsType<JobOutcome.PendingTooLong>(outcome).Failure;
            Assert.Equal((Faults.Service, BuildReasons.BuildPodNeverStarted), (failure.Fault, failure.Reason));
            Assert.Contains(waiting, failure.Message, StringComparison.Ordinal);
        }
        else
        {
            Assert.IsType<JobOutcome.Running>(outcome);
        }
    }

    [Fact]
    public void Observe_InitContainerRunningPastPendingTimeout_IsRunning()
    {
        // The pod phase stays Pending while init containers run: a slow fetch is not a pod that never started.
        var pod = Pod("Pending", init: new V1ContainerState { Running = new V1ContainerStateRunning { StartedAt = Created.UtcDateTime } });

        var outcome = _observer.Observe(Job(), pod, Created.AddMinutes(20), Pending);

        Assert.IsType<JobOutcome.Running>(outcome);
    }

    [Fact]
    public void Observe_NoPodYetPastPendingTimeout_IsPendingTooLong()
    {
        var outcome = _observer.Observe(Job(), null, Created.AddMinutes(6), Pending);

        Assert.Contains("no pod", Assert.IsType<JobOutcome.PendingTooLong>(outcome).Failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Observe_UnschedulablePod_ReportsSchedulerMessage()
    {
        var pod = Pod("Pending");
        pod.Status.Conditions = [new V1PodCondition { Type = "PodScheduled", Status = "False", Reason = "Unschedulable", Message = "0/1 nodes are available: 1 Insufficient memory." }];

        var outcome = _observer.Observe(Job(), pod, Created.AddMinutes(6), Pending);

        Assert.Contains("Insufficient memory", Assert.IsType<JobOutcome.PendingTooLong>(outcome).Failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Observe_RunningBuild_IsRunning()
    {
        var pod = Pod("Running", init: Terminated(0, """{"stage":"fetch"}"""), main: new V1ContainerState { Running = new V1ContainerStateRunning() });

        Assert.IsType<JobOutcome.Running>(_observer.Observe(Job(), pod, Created.AddHours(1), Pending));
    }

    private static (V1Job Job, V1Pod? Pod) FailureCase(string name)
    {
        var failed = Job(("Failed", "True", "BackoffLimitExceeded"));
        return name switch
        {
            "deadline" => (Job(("Failed", "True", "DeadlineExceeded")), null),
            "evicted" => (failed, Evicted()),
            "oom" => (failed, Pod("Failed", init: Terminated(0, "{}"), main: new V1ContainerState { Terminated = new V1ContainerStateTerminated { ExitCode = 137, Reason = "OOMKilled" } })),
            "node-lost" => (failed, WithReason(Pod("Failed"), "NodeLost")),
            "pod-gone" => (failed, null),
            "fetch-401" => (failed, Pod("Failed", init: Report("fetch", "DownloadFailed", "downloading the source archive failed", 401))),
            "fetch-403" => (failed, Pod("Failed", init: Report("fetch", "CloneFailed", "cloning the repository failed", 403))),
            "fetch-404" => (failed, Pod("Failed", init: Report("fetch", "DownloadFailed", "downloading the source archive failed", 404))),
            "fetch-500" => (failed, Pod("Failed", init: Report("fetch", "DownloadFailed", "downloading the source archive failed", 500))),
            "plan-nixpacks" => (failed, Pod("Failed", init: Report("plan", "PlanFailed", "nixpacks could not plan a build for this repository", 0))),
            "nixpacks-missing" => (failed, Pod("Failed", init: Report("plan", "NixpacksUnavailable", "the plan image has no nixpacks binary: set Build:Images:Nixpacks to an image with nixpacks 1.39.0 and jq (deploy/images/README.md)", 0))),
            "dockerfile-missing" => (failed, Pod("Failed", init: Terminated(0, "{}"), main: Report("plan", "DockerfileNotFound", "there is no Dockerfile at 'deploy/Dockerfile'", 0))),
            "compile-error" => (failed, Pod("Failed", init: Terminated(0, "{}"), main: Report("build", "BuildFailed", "the image build failed", 0))),
            "buildkit-unavailable" => (failed, Pod("Failed", init: Terminated(0, "{}"), main: Report("build", "BuildKitUnavailable", "BuildKit's daemon did not start: buildctl-daemonless.sh could not connect to it", 0))),
            "push-5xx" => (failed, Pod("Failed", init: Terminated(0, "{}"), main: Report("push", "PushFailed", "pushing the image to the registry failed", 0))),
            "script-missing" => (failed, Pod("Failed", init: Terminated(0, "{}"), main: Terminated(127, "/bin/sh: buildctl-daemonless.sh: not found"))),
            "succeeded-no-digest" => (Job(("Complete", "True", null)), Pod("Succeeded", main: Terminated(0, "pushed, I think"))),
            _ => throw new ArgumentOutOfRangeException(nameof(name), name, null),
        };
    }

    private static V1ContainerState Report(string stage, string reason, string error, int status) =>
        Terminated(1, $$"""{"stage":"{{stage}}","reason":"{{reason}}","error":"{{error}}","httpStatus":{{status}},"logTail":"#7 RUN make\nmain.c:3: error: expected ';'"}""");

    private static V1ContainerState Terminated(int exitCode, string message) =>
        new() { Terminated = new V1ContainerStateTerminated { ExitCode = exitCode, Reason = exitCode == 0 ? "Completed" : "Error", Message = message } };

    private static V1Job Job(params (string Type, string Status, string? Reason)[] conditions) => new()
    {
        Metadata = new V1ObjectMeta
        {
            Name = "ib-x-3",
            CreationTimestamp = Created.UtcDateTime,
            Labels = new Dictionary<string, string> { [Annotations.AttemptLabel] = "3" },
        },
        Spec = new V1JobSpec { ActiveDeadlineSeconds = 1800, Template = new V1PodTemplateSpec() },
        Status = new V1JobStatus { Conditions = conditions.Select(c => new V1JobCondition { Type = c.Type, Status = c.Status, Reason = c.Reason }).ToList() },
    };

    private static V1Pod Pod(string phase, V1ContainerState? init = null, V1ContainerState? main = null) => new()
    {
        Metadata = new V1ObjectMeta { Name = "ib-x-3-abcde", CreationTimestamp = Created.UtcDateTime },
        Status = new V1PodStatus
        {
            Phase = phase,
            InitContainerStatuses = [new V1ContainerStatus { Name = BuildJobTemplate.FetchContainer, State = init ?? new V1ContainerState { Waiting = new V1ContainerStateWaiting { Reason = "PodInitializing" } } }],
            ContainerStatuses = [new V1ContainerStatus { Name = BuildJobTemplate.BuildContainer, State = main ?? new V1ContainerState { Waiting = new V1ContainerStateWaiting { Reason = "PodInitializing" } } }],
        },
    };

    private static V1Pod Evicted()
    {
        var pod = WithReason(Pod("Failed", init: Terminated(0, "{}")), "Evicted");
        pod.Status.Message = "The node was low on resource: ephemeral-storage.";
        return pod;
    }

    private static V1Pod WithReason(V1Pod pod, string reason)
    {
        pod.Status.Reason = reason;
        return pod;
    }
}
