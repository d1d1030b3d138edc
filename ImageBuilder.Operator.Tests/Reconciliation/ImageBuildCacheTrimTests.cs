using ImageBuilder.Operator.Api;
using ImageBuilder.Operator.Reconciliation;
using k8s.Models;

namespace ImageBuilder.Operator.Tests.Reconciliation;

public sealed class ImageBuildCacheTrimTests
{
    private static ImageBuild Failed(bool cleanedUp, bool notified)
    {
        var build = Builds.New(spec => spec.BuildPlan = new BuildPlanSpec { Builder = "docker", Envs = [new BuildEnv { Key = "A", Value = "1" }] });
        build.Metadata.ManagedFields = [new V1ManagedFieldsEntry { Manager = "image-builder" }];
        build.Status = new ImageBuildStatus
        {
            Phase = Phases.Failed,
            ObservedGeneration = build.Metadata.Generation,
            CleanedUp = cleanedUp ? true : null,
            Notification = notified ? new NotificationStatus { Queue = "kusanali.notifications", MessageId = "uid-1" } : null,
            Conditions = [new V1Condition { Type = "Ready", Status = "False", Reason = "BuildFailed", Message = "The build failed: make: *** [all] Error 2" }],
            LastFailure = new BuildFailure { Fault = Faults.User, Reason = "BuildFailed", Message = "make failed", LogTail = "line 1\nline 2", Attempt = 1 },
        };
        return build;
    }

    [Fact]
    public void Trim_BuildNotOverYet_KeepsEverythingStepsReadAndIsNotMarked()
    {
        var build = ImageBuildCacheTrim.Trim(Failed(cleanedUp: false, notified: true));

        Assert.False(ImageBuildCacheTrim.IsTrimmed(build));
        Assert.Null(build.Metadata.ManagedFields);
        Assert.Equal("line 1\nline 2", build.Status!.LastFailure!.LogTail);
        Assert.Equal("The build failed: make: *** [all] Error 2", build.Status.Conditions![0].Message);
        Assert.Single(build.Spec.BuildPlan!.Envs!);
    }

    [Fact]
    public void Trim_BuildOver_DropsPayloadKeepsDecisionsAndIsMarked()
    {
        var build = ImageBuildCacheTrim.Trim(Failed(cleanedUp: true, notified: true));

        Assert.True(ImageBuildCacheTrim.IsTrimmed(build));
        Assert.Null(build.Status!.LastFailure!.LogTail);
        Assert.Equal(("make failed", "BuildFailed", Faults.User), (build.Status!.LastFailure.Message, build.Status!.LastFailure.Reason, build.Status!.LastFailure.Fault));
        Assert.Null(build.Status.Conditions![0].Message);
        Assert.Equal(("Ready", "False", "BuildFailed"), (build.Status.Conditions[0].Type, build.Status.Conditions[0].Status, build.Status.Conditions[0].Reason));
        Assert.Equal("docker", build.Spec.BuildPlan!.Builder);
        Assert.Null(build.Spec.BuildPlan.Envs);
        Assert.Equal(Phases.Failed, build.Status!.Phase);
    }

    [Fact]
    public void Trim_TerminalButNotNotified_IsNotMarked()
    {
        // The notification still has to be sent, with the log tail: the whole object must stay.
        var build = ImageBuildCacheTrim.Trim(Failed(cleanedUp: true, notified: false));

        Assert.False(ImageBuildCacheTrim.IsTrimmed(build));
        Assert.NotNull(build.Status!.LastFailure!.LogTail);
    }

    [Fact]
    public void Changed_SameStatusAsTrimmedCopy_IsFalse()
    {
        // A reconcile of a finished build that changes nothing must not read the whole object.
        var build = ImageBuildCacheTrim.Trim(Failed(cleanedUp: true, notified: true));

        Assert.False(ImageBuildStore.Changed(build, ImageBuildStore.CopyStatus(build.Status)));
    }
}
