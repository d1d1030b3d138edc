using System.Net;
using ImageBuilder.Operator.Api;
using ImageBuilder.Operator.Builds;
using ImageBuilder.Operator.Controllers;
using ImageBuilder.Operator.Options;
using ImageBuilder.Operator.Reconciliation;
using ImageBuilder.Operator.Reconciliation.Steps;
using ImageBuilder.Operator.Sources;
using ImageBuilder.Operator.Tests.Builds;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;
using MsOptions = Microsoft.Extensions.Options.Options;

namespace ImageBuilder.Operator.Tests.Reconciliation;

public sealed class EnsureJobStepTests
{
    private const string Commit = "c0ffee0123456789c0ffee0123456789c0ffee01";
    private const string Image = "127.0.0.1:5000/18008/app:c0ffee0123456789";
    private static readonly TimeSpan PendingTimeout = TimeSpan.FromMinutes(5);
    private readonly InMemoryObjects<V1Job> _jobs = new();
    private readonly InMemoryObjects<V1Secret> _secrets = new();
    private readonly RecordingRetryScheduler _scheduler = new();

    private EnsureJobStep Step()
    {
        var options = BuildSamples.Options();
        options.PendingTimeout = PendingTimeout;
        options.DefaultTimeout = TimeSpan.FromMinutes(30);
        var wrapped = MsOptions.Create(options);
        return new EnsureJobStep(_jobs, _jobs, _jobs, new BuildStrategyProvider([new BuildKitStrategy(wrapped)], wrapped),
            new RegistrySecrets(_secrets, _secrets, _secrets, wrapped),
            new BuildOutcomes(_scheduler, MsOptions.Create(new RetryOptions { MaxRetries = 2 })), wrapped);
    }

    /// <summary>
    /// Runs the step as the reconcile does: with what source resolution found for the context's commit (none when the
    /// commit is unknown), then Ready summarized.
    /// </summary>
    private async Task<StepResult> RunAsync(ReconcileContext context)
    {
        var source = context.Status.Commit is { } commit
            ? SourceResolution.Resolved(commit, "http://127.0.0.1:8090/archive", null, "main")
            : new SourceResolution();
        var result = await Step().RunAsync(context, source, CancellationToken.None);
        ReadySummary.Apply(context);
        return result;
    }

    private static ReconcileContext Resolved(ImageBuild? build = null, int retries = 0, DateTime? startTime = null) =>
        Builds.Context(build, s => (s.Phase, s.Commit, s.Image, s.Retries, s.StartTime) = (Phases.Pending, Commit, Image, retries, startTime));

    private void AddJob(string name, string ownerUid) => _jobs.With(new V1Job
    {
        Metadata = new V1ObjectMeta
        {
            Name = name,
            NamespaceProperty = "team",
            ResourceVersion = "7",
            OwnerReferences = [new V1OwnerReference { Uid = ownerUid, Name = "app", Kind = ImageBuild.KindName, ApiVersion = "v1" }],
        },
    });

    public static TheoryData<string?, string?, bool, bool> NotItsTurn => new()
    {
        // phase, job already recorded, commit known, image known
        { Phases.Succeeded, null, true, true },
        { Phases.Failed, null, true, true },
        { Phases.Cancelled, null, true, true },
        { Phases.Superseded, null, true, true },
        { Phases.Retrying, "app-1", true, true },
        { Phases.Building, "app-1", true, true },   // this attempt's Job is made
        { Phases.Pending, null, false, true },      // source not resolved yet
        { Phases.Pending, null, true, false },
    };

    [Theory]
    [MemberData(nameof(NotItsTurn))]
    public async Task Run_NotItsTurn_CreatesNothing(string? phase, string? job, bool commit, bool image)
    {
        var context = Builds.Context(status: s => (s.Phase, s.Job, s.Commit, s.Image) = (phase, job, commit ? Commit : null, image ? Image : null));

        var result = await RunAsync(context);

        Assert.False(result.Stop);
        Assert.Empty(_jobs.Created);
        Assert.Empty(_secrets.Reads);
        Assert.Empty(_secrets.Created);
        Assert.Null(context.Status.Conditions);
        Assert.Empty(context.Events);
    }

    public static TheoryData<int, string?, string?, int?, string, string?, long> Creates => new()
    {
        // retries, token Secret, its key, spec timeout, expected Job, expected token key, expected deadline
        { 0, null, null, null, "app-1", null, 1800 },
        { 0, "app-token", null, null, "app-1", "token", 1800 },
        { 0, "app-token", "pat", 600, "app-1", "pat", 600 },
        { 2, "app-token", "", null, "app-3", "token", 1800 },
    };

    [Theory]
    [MemberData(nameof(Creates))]
    public async Task Run_SourceResolved_CreatesTheAttemptsJobOwnedByTheBuildAndRecordsIt(
        int retries, string? tokenSecret, string? tokenKey, int? timeoutSeconds, string jobName, string? expectedKey, long deadline)
    {
        var build = Builds.New(s =>
        {
            s.Source.TokenSecretRef = (tokenSecret, tokenKey) switch
            {
                (null, _) => null,
                (_, null) => new SecretKeyRef { Name = tokenSecret },
                _ => new SecretKeyRef { Name = tokenSecret, Key = tokenKey },
            };
            s.TimeoutSeconds = timeoutSeconds;
        });
        var context = Resolved(build, retries);

        var result = await RunAsync(context);

        Assert.Equal(StepResult.RequeueAfterDelay(PendingTimeout), result);
        var job = Assert.Single(_jobs.Created);
        Assert.Equal(jobName, job.Metadata.Name);
        Assert.NotNull(_jobs.Get(new ObjectKey("team", jobName)));
        var owner = Assert.Single(job.Metadata.OwnerReferences);
        Assert.Equal(("uid-1", "app", true), (owner.Uid, owner.Name, owner.Controller));
        Assert.Equal(deadline, job.Spec.ActiveDeadlineSeconds);
        var volumes = job.Spec.Template.Spec.Volumes;
        Assert.Contains(volumes, v => v.Secret?.SecretName == "image-builder-registry");
        var token = volumes.SingleOrDefault(v => v.Secret?.SecretName == "app-token");
        Assert.Equal(expectedKey, token?.Secret.Items.Single().Key);

        Assert.Equal((jobName, Phases.Building, Builds.Now.UtcDateTime), (context.Status.Job, context.Status.Phase, context.Status.StartTime));
        var building = context.Status.Conditions!.Single(c => c.Type == ConditionTypes.Building);
        var ready = context.Status.Conditions!.Single(c => c.Type == ConditionTypes.Ready);
        Assert.Equal(("True", Reasons.BuildStarted), (building.Status, building.Reason));
        Assert.Equal(("False", Reasons.BuildStarted), (ready.Status, ready.Reason));
        Assert.Equal($"Attempt {retries + 1}: Job {jobName} builds commit c0ffee012345 into {Image}.", ready.Message);
        Assert.Equal([("Normal", Reasons.BuildStarted, ready.Message)], context.Events);
    }

    [Fact]
    public async Task Run_LaterAttempt_KeepsTheFirstStartTime()
    {
        var first = Builds.Now.UtcDateTime.AddMinutes(-10);
        var context = Resolved(retries: 1, startTime: first);

        await RunAsync(context);

        Assert.Equal(("app-2", first), (context.Status.Job, context.Status.StartTime));
    }

    [Fact]
    public async Task Run_RegistrySecretMissing_CreatesItBeforeTheJob()
    {
        await RunAsync(Resolved());

        var secret = Assert.Single(_secrets.Created);
        Assert.Equal(("image-builder-registry", "kubernetes.io/dockerconfigjson"), (secret.Metadata.Name, secret.Type));
        Assert.Equal(Annotations.ManagedByValue, secret.Metadata.Labels[Annotations.ManagedByLabel]);
        Assert.Equal(["CreateAsync team/image-builder-registry"], _secrets.Journal);
        Assert.Single(_jobs.Created);
    }

    [Fact]
    public async Task Run_JobOfThisBuildAlreadyExists_AdoptsItAsItsOwn()
    {
        // A crash between the create and the status write: the next reconcile finds its own Job.
        AddJob("app-1", ownerUid: "uid-1");
        var context = Resolved();

        var result = await RunAsync(context);

        Assert.Equal(StepResult.RequeueAfterDelay(PendingTimeout), result);
        Assert.Empty(_jobs.Created);
        Assert.Empty(_jobs.Deleted);
        Assert.Equal([("team", "app-1")], _jobs.Reads);
        Assert.Equal(("app-1", Phases.Building), (context.Status.Job, context.Status.Phase));
        Assert.Equal(Reasons.BuildStarted, Assert.Single(context.Events).Reason);
    }

    [Fact]
    public async Task Run_JobOfADeletedNamesakeExists_DeletesItAndComesBackWithoutRecordingAJob()
    {
        AddJob("app-1", ownerUid: "uid-of-a-deleted-build");
        var context = Resolved();

        var result = await RunAsync(context);

        Assert.Equal(StepResult.RequeueAfterDelay(TimeSpan.FromSeconds(1)), result);
        Assert.Equal([("team", "app-1")], _jobs.Deleted);
        Assert.Null(context.Status.Job);
        Assert.Equal(Phases.Pending, context.Status.Phase);
        Assert.Null(context.Status.Conditions);
        Assert.Empty(context.Events);
    }

    [Fact]
    public async Task Run_JobAlreadyExistsThenGoneBeforeTheRead_ComesBackWithoutDeleting()
    {
        _jobs.FailNext(nameof(InMemoryObjects<V1Job>.CreateAsync), ApiErrors.Status(HttpStatusCode.Conflict, "\"app-1\" already exists"));
        var context = Resolved();

        var result = await RunAsync(context);

        Assert.Equal(StepResult.RequeueAfterDelay(TimeSpan.FromSeconds(1)), result);
        Assert.Empty(_jobs.Deleted);
        Assert.Null(context.Status.Job);
    }

    public static TheoryData<int, string, string> Rejections => new()
    {
        // retries so far (limit 2), phase, Ready's reason
        { 0, Phases.Retrying, Reasons.RetryScheduled },
        { 2, Phases.Failed, Reasons.RetriesExhausted },
    };

    [Theory]
    [MemberData(nameof(Rejections))]
    public async Task Run_ApiServerRejectsTheJob_EndsTheAttemptAsJobRejectedWithItsReason(int retries, string phase, string readyReason)
    {
        _jobs.FailNext(nameof(InMemoryObjects<V1Job>.CreateAsync),
            ApiErrors.Status(HttpStatusCode.UnprocessableEntity, "Job.batch \"app-1\" is invalid: spec.template.spec.containers[0].image: Required value"));
        var context = Resolved(retries: retries);

        var result = await RunAsync(context);

        Assert.Empty(_jobs.Created);
        Assert.Null(context.Status.Job);
        Assert.Equal(phase, context.Status.Phase);
        var failure = context.Status.LastFailure!;
        Assert.Equal((Faults.Service, Reasons.JobRejected, retries + 1), (failure.Fault, failure.Reason, failure.Attempt));
        Assert.Equal($"Kubernetes rejected the build Job app-{retries + 1}: Job.batch \"app-1\" is invalid: spec.template.spec.containers[0].image: Required value", failure.Message);
        var ready = context.Status.Conditions!.Single(c => c.Type == ConditionTypes.Ready);
        Assert.Equal(("False", readyReason), (ready.Status, ready.Reason));
        Assert.Contains(failure.Message, ready.Message, StringComparison.Ordinal);
        Assert.Equal(phase == Phases.Retrying, result.RequeueAfter is not null);
    }

    [Fact]
    public async Task Run_RejectionWithoutAStatusBody_SaysInvalid()
    {
        _jobs.FailNext(nameof(InMemoryObjects<V1Job>.CreateAsync), new HttpOperationException("422")
        {
            Response = new HttpResponseMessageWrapper(new HttpResponseMessage(HttpStatusCode.UnprocessableEntity), "<html>proxy error</html>"),
        });
        var context = Resolved();

        await RunAsync(context);

        Assert.Equal("Kubernetes rejected the build Job app-1: invalid", context.Status.LastFailure!.Message);
    }

    public static TheoryData<string, string, HttpStatusCode> OtherErrors => new()
    {
        // which call fails: objects, operation, answer
        { "jobs", nameof(InMemoryObjects<V1Job>.CreateAsync), HttpStatusCode.Forbidden },
        { "jobs", nameof(InMemoryObjects<V1Job>.CreateAsync), HttpStatusCode.InternalServerError },
        { "jobs", nameof(InMemoryObjects<V1Job>.CreateAsync), HttpStatusCode.TooManyRequests },
        { "secrets", nameof(InMemoryObjects<V1Secret>.GetAsync), HttpStatusCode.Forbidden },
        { "secrets", nameof(InMemoryObjects<V1Secret>.CreateAsync), HttpStatusCode.ServiceUnavailable },
    };

    [Theory]
    [MemberData(nameof(OtherErrors))]
    public async Task Run_OtherApiError_EscapesWithoutAJobOnTheStatus(string objects, string operation, HttpStatusCode code)
    {
        // An answer the step cannot classify is the step runner's: ReconcileError with backoff (next test).
        if (objects == "jobs")
        {
            _jobs.FailNext(operation, ApiErrors.Status(code));
        }
        else
        {
            _secrets.FailNext(operation, ApiErrors.Status(code));
        }
        var context = Resolved();

        var error = await Assert.ThrowsAsync<HttpOperationException>(() => RunAsync(context));

        Assert.Equal(code, error.Response.StatusCode);
        Assert.Empty(_jobs.Created);
        Assert.Null(context.Status.Job);
        Assert.Empty(context.Events);
    }

    [Fact]
    public async Task Reconcile_CreateForbidden_ShowsReadyFalseReconcileErrorAndRetriesWithBackoff()
    {
        _jobs.FailNext(nameof(InMemoryObjects<V1Job>.CreateAsync), ApiErrors.Status(HttpStatusCode.Forbidden, "jobs.batch is forbidden: User cannot create resource"));
        var runner = new StepRunner(
            new ReconcileErrors(new BuildOutcomes(_scheduler, MsOptions.Create(new RetryOptions())), MsOptions.Create(new ReconcileOptions { MaxConsecutiveErrors = 5 })),
            NullLogger<StepRunner>.Instance);
        var step = Step();
        var source = SourceResolution.Resolved(Commit, "http://127.0.0.1:8090/archive", null, "main");

        var (context, result) = await runner.RunAsync(Resolved(),
            [new NamedStep(StepRunner.StepName(typeof(EnsureJobStep)), (c, ct) => step.RunAsync(c, source, ct))], CancellationToken.None);

        Assert.NotNull(result.Error);
        var ready = context.Status.Conditions!.Single(c => c.Type == ConditionTypes.Ready);
        Assert.Equal(("False", Reasons.ReconcileError), (ready.Status, ready.Reason));
        Assert.Contains("EnsureJob", ready.Message, StringComparison.Ordinal);
        Assert.Null(context.Status.Job);
        Assert.Equal(1, context.Status.ReconcileErrors);
    }
}
