using ImageBuilder.Operator.Api;
using ImageBuilder.Operator.Messaging;
using ImageBuilder.Operator.Options;
using ImageBuilder.Operator.Reconciliation;
using k8s;
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

    [Theory]
    [InlineData(Phases.Superseded)]
    [InlineData(Phases.Cancelled)]
    public void Trim_SettledSilentPhase_IsTrimmed(string phase)
    {
        // Never notified, cleaned up at once: over as soon as it ends, like a notified Succeeded or Failed build.
        var build = Failed(cleanedUp: true, notified: false);
        build.Status!.Phase = phase;
        build.Status.SupersededBy = phase == Phases.Superseded ? "team/app-2" : null;

        var trimmed = ImageBuildCacheTrim.Trim(build);

        Assert.True(ImageBuildCacheTrim.IsTrimmed(trimmed));
        Assert.Equal(phase == Phases.Superseded ? "team/app-2" : null, trimmed.Status!.SupersededBy);
    }

    [Fact]
    public void Trim_BuildOver_KeepsWhatQueueSupersedingOrderAndRetentionRead()
    {
        var whole = Settled("app", Builds.Now.AddMinutes(-3));
        var trimmed = ImageBuildCacheTrim.Trim(Copy(whole));

        Assert.True(ImageBuildCacheTrim.IsTrimmed(trimmed));
        // Request order (superseding, notification order, retention's ranks): the requested-at stamp, else creationTimestamp.
        Assert.Equal(RequestOrder.Of(whole), RequestOrder.Of(trimmed));
        Assert.Equal(whole.Metadata.CreationTimestamp, trimmed.Metadata.CreationTimestamp);
        // Superseding: the application and what the request follows.
        Assert.Equal(Supersession.ApplicationKey(whole), Supersession.ApplicationKey(trimmed));
        Assert.Equal(Supersession.RefKey(whole.Spec.Source), Supersession.RefKey(trimmed.Spec.Source));
        // Admission's queue: the user, the cancel annotation.
        Assert.Equal(whole.Spec.UserId, trimmed.Spec.UserId);
        Assert.Equal("stop", trimmed.Metadata.Annotations![Annotations.Cancel]);
        // Retention: settled, its own policy and clock, the uid precondition, the bridge's mark for RetiredBuilds.
        Assert.True(RetentionPolicy.IsSettled(trimmed.Status));
        var options = new RetentionOptions();
        Assert.Equal(RetentionPolicy.For(whole.Spec.Retention, options, out _), RetentionPolicy.For(trimmed.Spec.Retention, options, out _));
        Assert.Equal(RetentionPolicy.For(whole.Spec.Retention, options, out _).ExpiresAt(whole.Status!), RetentionPolicy.For(trimmed.Spec.Retention, options, out _).ExpiresAt(trimmed.Status!));
        Assert.Equal(whole.Metadata.Uid, trimmed.Metadata.Uid);
        Assert.Equal(ImageBuildFactory.RequestedByBridge, trimmed.Metadata.Annotations[ImageBuildFactory.RequestedByAnnotation]);
    }

    [Fact]
    public void Doomed_TrimmedCopies_SameBuildsAsWholeOnes()
    {
        // Retention decides on the cache's copies of the other builds of the application: trimming must not change its choice.
        var whole = Enumerable.Range(1, 4).Select(i => Settled($"app-{i}", Builds.Now.AddMinutes(-10 + i))).ToList();
        var trimmed = whole.Select(b => ImageBuildCacheTrim.Trim(Copy(b))).ToList();
        RetentionPolicy Policy(ImageBuild b) => RetentionPolicy.For(b.Spec.Retention, new RetentionOptions(), out _);

        var fromWhole = RetentionPolicy.Doomed(whole, Policy, Builds.Now).Select(d => (d.Build.Metadata.Name, d.Why));
        var fromTrimmed = RetentionPolicy.Doomed(trimmed, Policy, Builds.Now).Select(d => (d.Build.Metadata.Name, d.Why));

        Assert.Equal([("app-1", RetentionPolicy.ByLimit), ("app-2", RetentionPolicy.ByLimit)], fromWhole.OrderBy(d => d.Name));
        Assert.Equal(fromWhole.OrderBy(d => d.Name), fromTrimmed.OrderBy(d => d.Name));
    }

    private static ImageBuild Settled(string name, DateTimeOffset requestedAt)
    {
        var build = Failed(cleanedUp: true, notified: true);
        build.Metadata.Name = name;
        build.Metadata.Uid = "uid-" + name;
        build.Metadata.CreationTimestamp = requestedAt.UtcDateTime;
        build.Metadata.Annotations = new Dictionary<string, string>
        {
            [Annotations.RequestedAt] = RequestOrder.Stamp(requestedAt),
            [ImageBuildFactory.RequestedByAnnotation] = ImageBuildFactory.RequestedByBridge,
            [Annotations.Cancel] = "stop",
        };
        build.Spec.Retention = new RetentionSpec { TtlAfterFailed = "1h", FailedLimit = 2 };
        build.Status!.CompletionTime = requestedAt.AddMinutes(1).UtcDateTime;
        return build;
    }

    private static ImageBuild Copy(ImageBuild build) => KubernetesJson.Deserialize<ImageBuild>(KubernetesJson.Serialize(build));
}
