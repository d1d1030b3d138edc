using ImageBuilder.Operator.Api;
using ImageBuilder.Operator.Builds;
using ImageBuilder.Operator.Controllers;
using ImageBuilder.Operator.Options;
using ImageBuilder.Operator.Reconciliation;
using ImageBuilder.Operator.Reconciliation.Steps;
using ImageBuilder.Operator.Tests.Builds;
using k8s.Models;
using MsOptions = Microsoft.Extensions.Options.Options;

namespace ImageBuilder.Operator.Tests.Reconciliation;

public sealed class ObserveJobStepTests
{
    private const string JobName = "app-1";
    private static readonly TimeSpan PendingTimeout = TimeSpan.FromMinutes(5);
    private readonly InMemoryObjects<V1Job> _jobs = new();
    private readonly InMemoryObjects<V1Pod> _pods = new();
    private readonly RecordingRetryScheduler _scheduler = new();

    // An empty cache: the Job is read live, as for a Job the informer has not shown yet.
    private ObserveJobStep Step(IObjectCache<V1Job>? cache = null) =>
        new(cache ?? new InMemoryObjects<V1Job>(), _jobs, _jobs, _pods, new BuildJobObserver(), new BuildOutcomes(_scheduler, MsOptions.Create(new RetryOptions { MaxRetries = 3 })),
            MsOptions.Create(new BuildOptions { PendingTimeout = PendingTimeout }));

    private static ReconcileContext Building() =>
        Builds.Context(status: s => (s.Phase, s.Job, s.Image) = (Phases.Building, JobName, "127.0.0.1:5000/18008/app:c0ffee"));

    private void AddJob(DateTimeOffset created, string? condition = null) => _jobs.With(new V1Job
    {
        Metadata = new V1ObjectMeta { Name = JobName, NamespaceProperty = "team", CreationTimestamp = created.UtcDateTime, Labels = new Dictionary<string, string> { [Annotations.AttemptLabel] = "1" } },
        Spec = new V1JobSpec { ActiveDeadlineSeconds = 1800, Template = new V1PodTemplateSpec() },
        Status = new V1JobStatus { Conditions = condition is null ? [] : [new V1JobCondition { Type = condition, Status = "True" }] },
    });

    private void AddPod(string name, DateTimeOffset created, string phase, V1ContainerState build) => _pods.With(new V1Pod
    {
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = "team", CreationTimestamp = created.UtcDateTime, Labels = new Dictionary<string, string> { ["job-name"] = JobName } },
        Status = new V1PodStatus
        {
            Phase = phase,
            ContainerStatuses = [new V1ContainerStatus { Name = BuildJobTemplate.BuildContainer, State = build }],
        },
    });

    private static V1ContainerState Waiting(string reason) => new() { Waiting = new V1ContainerStateWaiting { Reason = reason } };

    private static V1ContainerState Done(string message) => new() { Terminated = new V1ContainerStateTerminated { ExitCode = 0, Message = message } };

    public static TheoryData<string?, string?> NotItsTurn => new()
    {
        // phase, job
        { Phases.Pending, null },
        { Phases.Building, null },
        { Phases.Succeeded, JobName },
        { Phases.Retrying, JobName },
    };

    [Theory]
    [MemberData(nameof(NotItsTurn))]
    public async Task Run_NotBuilding_ReadsNothing(string? phase, string? job)
    {
        var context = Builds.Context(status: s => (s.Phase, s.Job) = (phase, job));

        var result = await Step().RunAsync(context, CancellationToken.None);

        Assert.False(result.Stop);
        Assert.Empty(_jobs.Reads);
        Assert.Null(context.Status.Conditions);
    }

    [Fact]
    public async Task Run_JobGone_IsAServiceFaultThatRetries()
    {
        var context = Building();

        await Step().RunAsync(context, CancellationToken.None);

        Assert.Equal((Faults.Service, Reasons.JobLost), (context.Status.LastFailure!.Fault, context.Status.LastFailure.Reason));
        Assert.Equal(Phases.Retrying, context.Status.Phase);
        Assert.Single(_scheduler.Scheduled);
    }

    [Fact]
    public async Task Run_JobCompleteWithDigest_SucceedsWithTheNewestPodsReport()
    {
        AddJob(Builds.Now.AddMinutes(-2), "Complete");
        AddPod("app-1-old", Builds.Now.AddMinutes(-2), "Failed", Done("{}"));
        AddPod("app-1-new", Builds.Now.AddMinutes(-1), "Succeeded", Done($$"""{"stage":"done","digest":"{{BuildSamples.Digest}}","image":"x","logTail":"pushed"}"""));
        var context = Building();

        var result = await Step().RunAsync(context, CancellationToken.None);

        Assert.False(result.Stop);
        Assert.Equal((Phases.Succeeded, BuildSamples.Digest), (context.Status.Phase, context.Status.Digest));
        var building = context.Status.Conditions!.Single(c => c.Type == ConditionTypes.Building);
        Assert.Equal(("False", Reasons.BuildSucceeded), (building.Status, building.Reason));
        Assert.Empty(_jobs.Deleted);
    }

    [Fact]
    public async Task Run_JobFailed_EndsTheAttemptWithTheClassifiedFailure()
    {
        AddJob(Builds.Now.AddMinutes(-2), "Failed");
        AddPod("app-1-x", Builds.Now.AddMinutes(-2), "Failed", Done("{}"));
        var context = Building();

        await Step().RunAsync(context, CancellationToken.None);

        Assert.NotNull(context.Status.LastFailure);
        Assert.Equal("False", context.Status.Conditions!.Single(c => c.Type == ConditionTypes.Building).Status);
        Assert.Contains(context.Status.Phase, new[] { Phases.Retrying, Phases.Failed });
        Assert.Empty(_jobs.Deleted);
    }

    [Theory]
    [InlineData(1, false, 241)]  // running 1 min: the watchdog looks again just after the pending timeout
    [InlineData(6, true, 0)]     // never started for 6 min: the Job is deleted and the attempt fails
    public async Task Run_PodNotStarted_WatchdogRequeuesThenDeletesTheJob(int minutes, bool deleted, int requeueSeconds)
    {
        AddJob(Builds.Now.AddMinutes(-minutes));
        AddPod("app-1-x", Builds.Now.AddMinutes(-minutes), "Pending", Waiting("ContainerCreating"));
        var context = Building();

        var result = await Step().RunAsync(context, CancellationToken.None);

        Assert.Equal(deleted ? [("team", JobName)] : [], _jobs.Deleted);
        if (deleted)
        {
            Assert.Equal(BuildReasons.BuildPodNeverStarted, context.Status.LastFailure!.Reason);
        }
        else
        {
            Assert.Equal(TimeSpan.FromSeconds(requeueSeconds), result.RequeueAfter);
            Assert.Equal(Reasons.JobRunning, context.Status.Conditions!.Single(c => c.Type == ConditionTypes.Building).Reason);
            Assert.Equal(Phases.Building, context.Status.Phase);
        }
    }

    [Fact]
    public async Task Run_RunningJobInCache_ReadsNeitherJobNorPodLive()
    {
        // The cache has the Job; a young running Job's pod tells nothing the Job does not.
        AddJob(Builds.Now.AddMinutes(-1));
        var context = Building();

        var result = await Step(cache: _jobs).RunAsync(context, CancellationToken.None);

        Assert.Equal((Phases.Building, Reasons.JobRunning), (context.Status.Phase, context.Status.Conditions!.Single(c => c.Type == ConditionTypes.Building).Reason));
        Assert.NotNull(result.RequeueAfter);
        Assert.Empty(_jobs.Reads);
        Assert.Empty(_pods.Lists);
    }

    [Fact]
    public async Task Run_CompleteJobInTrimmedCache_ReadsThePodForTheDigest()
    {
        // The Job cache keeps status and labels but not the pod template (CacheTransforms.Job): enough to see it ended.
        AddJob(Builds.Now.AddMinutes(-2), "Complete");
        AddPod("app-1-x", Builds.Now.AddMinutes(-1), "Succeeded", Done($$"""{"stage":"done","digest":"{{BuildSamples.Digest}}","image":"x","logTail":"pushed"}"""));
        var cache = new InMemoryObjects<V1Job>().With(ImageBuilder.Operator.Controllers.Client.CacheTransforms.Job(_jobs.List().Single()));
        var context = Building();

        await Step(cache).RunAsync(context, CancellationToken.None);

        Assert.Equal((Phases.Succeeded, BuildSamples.Digest), (context.Status.Phase, context.Status.Digest));
        Assert.Empty(_jobs.Reads);
        Assert.Equal(["job-name=" + JobName], _pods.Lists);
    }
}
