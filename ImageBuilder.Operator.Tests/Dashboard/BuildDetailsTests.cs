using ImageBuilder.Operator.Api;
using ImageBuilder.Operator.Dashboard;
using ImageBuilder.Operator.Reconciliation;
using ImageBuilder.Operator.Tests.Reconciliation;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;
using TestBuilds = ImageBuilder.Operator.Tests.Reconciliation.Builds;

namespace ImageBuilder.Operator.Tests.Dashboard;

public sealed class BuildDetailsTests
{
    private readonly InMemoryObjects<ImageBuild> _cache = new();
    private readonly InMemoryObjects<ImageBuild> _live = new();

    // Events are read from an apiserver that is not there (a closed port on loopback): the view says so and shows the rest.
    private BuildDetails Details() => new(_cache, new InMemoryObjects<V1Job>(), _live,
        new Kubernetes(new KubernetesClientConfiguration { Host = "http://127.0.0.1:9" }), TimeProvider.System, NullLogger<BuildDetails>.Instance);

    private static ImageBuild Finished(string name)
    {
        var build = TestBuilds.New(spec => spec.BuildPlan = new BuildPlanSpec { Builder = "nixpacks" });
        build.Metadata.Name = name;
        build.Status = new ImageBuildStatus
        {
            Phase = Phases.Failed,
            CleanedUp = true,
            Notification = new NotificationStatus { Queue = "kusanali.notifications", MessageId = "m-1" },
            Conditions = [new V1Condition { Type = ConditionTypes.Ready, Status = "False", Reason = "BuildFailed", Message = "make: *** [all] Error 2" }],
            LastFailure = new BuildFailure { Fault = Faults.User, Reason = "BuildFailed", Message = "make failed", LogTail = "cc: error: main.c", Attempt = 1 },
        };
        return build;
    }

    private static ImageBuild Copy(ImageBuild build) => KubernetesJson.Deserialize<ImageBuild>(KubernetesJson.Serialize(build));

    [Fact]
    public async Task Read_TrimmedFinishedBuild_ShowsLogTailAndMessagesFromTheWholeObject()
    {
        var whole = Finished("app");
        _cache.With(ImageBuildCacheTrim.Trim(Copy(whole)));
        _live.With(whole);

        var detail = await Details().ReadAsync("team", "app", CancellationToken.None);

        Assert.Equal("cc: error: main.c", detail!.LastFailure!.LogTail);
        Assert.Equal("make: *** [all] Error 2", Assert.Single(detail.Conditions).Message);
        Assert.Equal([("team", "app")], _live.Reads);
        Assert.NotNull(detail.EventsError);
    }

    [Fact]
    public async Task Read_UntrimmedBuild_FromTheCacheAlone()
    {
        var running = TestBuilds.New();
        running.Status = new ImageBuildStatus { Phase = Phases.Building, Conditions = [new V1Condition { Type = ConditionTypes.Building, Status = "True", Reason = "JobRunning", Message = "Job app-1 is running attempt 1." }] };
        _cache.With(ImageBuildCacheTrim.Trim(running));

        var detail = await Details().ReadAsync("team", "app", CancellationToken.None);

        Assert.Equal("Job app-1 is running attempt 1.", Assert.Single(detail!.Conditions).Message);
        Assert.Empty(_live.Reads);
    }

    [Fact]
    public async Task Read_TrimmedBuildDeletedMeanwhile_IsNotFound()
    {
        _cache.With(ImageBuildCacheTrim.Trim(Finished("gone")));

        Assert.Null(await Details().ReadAsync("team", "gone", CancellationToken.None));
    }
}
