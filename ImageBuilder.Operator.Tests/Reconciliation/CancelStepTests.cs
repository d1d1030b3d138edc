using ImageBuilder.Operator.Api;
using ImageBuilder.Operator.Reconciliation;
using ImageBuilder.Operator.Reconciliation.Steps;
using k8s.Models;

namespace ImageBuilder.Operator.Tests.Reconciliation;

public sealed class CancelStepTests
{
    [Theory]
    [InlineData("", "no reason given")]
    [InlineData("  deploy rolled back  ", "deploy rolled back")]
    [InlineData("line one\nline two", "line one line two")]
    public void Reason_AnnotationValue_OneTrimmedLine(string value, string expected)
    {
        Assert.Equal(expected, CancelStep.Reason(value));
    }

    [Fact]
    public void Reason_LongValue_Bounded()
    {
        Assert.Equal(257, CancelStep.Reason(new string('x', 5000)).Length);
    }

    [Fact]
    public void SetBy_ManagedFields_NameTheManagerThatWroteTheAnnotation()
    {
        var build = Builds.New();
        build.Metadata.ManagedFields =
        [
            new V1ManagedFieldsEntry { Manager = "image-builder", FieldsV1 = new { f_spec = new { } }, Time = Builds.Now.UtcDateTime },
            new V1ManagedFieldsEntry
            {
                Manager = "kubectl-annotate",
                Operation = "Update",
                FieldsV1 = new Dictionary<string, object> { ["f:metadata"] = new Dictionary<string, object> { ["f:annotations"] = new Dictionary<string, object> { ["f:" + Annotations.Cancel] = new { } } } },
                Time = Builds.Now.UtcDateTime,
            },
        ];

        Assert.Equal("kubectl-annotate", CancelStep.SetBy(build));
        Assert.Equal("a client", CancelStep.SetBy(Builds.New()));
    }

    [Theory]
    [InlineData(Phases.Succeeded)]
    [InlineData(Phases.Failed)]
    [InlineData(Phases.Superseded)]
    public async Task Run_FinishedBuild_NothingChanges(string phase)
    {
        var build = Builds.New();
        build.Metadata.Annotations = new Dictionary<string, string> { [Annotations.Cancel] = "too late" };
        var context = Builds.Context(build, s => s.Phase = phase);

        var result = await new CancelStep(NoObjects(), new InMemoryObjects<ImageBuild>()).RunAsync(context, CancellationToken.None);

        Assert.Equal((false, phase), (result.Stop, context.Status.Phase));
        Assert.Empty(context.Events);
    }

    [Fact]
    public async Task Run_AlreadyCancelled_StopsEveryLaterStep()
    {
        var context = Builds.Context(status: s => s.Phase = Phases.Cancelled);

        var result = await new CancelStep(NoObjects(), new InMemoryObjects<ImageBuild>()).RunAsync(context, CancellationToken.None);

        Assert.True(result.Stop);
        Assert.Empty(context.Events);
    }

    [Fact]
    public async Task Run_CachedCopyWithoutManagedFields_NamesTheManagerFromTheLiveObject()
    {
        // The informer's cache drops managedFields (CacheTransforms.Metadata): who set the annotation is read live.
        var whole = Builds.New();
        whole.Metadata.Annotations = new Dictionary<string, string> { [Annotations.Cancel] = "wrong branch" };
        whole.Metadata.ManagedFields =
        [
            new V1ManagedFieldsEntry
            {
                Manager = "platform-api",
                Operation = "Update",
                FieldsV1 = new Dictionary<string, object> { ["f:metadata"] = new Dictionary<string, object> { ["f:annotations"] = new Dictionary<string, object> { ["f:" + Annotations.Cancel] = new { } } } },
                Time = Builds.Now.UtcDateTime,
            },
        ];
        var cached = ImageBuildCacheTrim.Trim(KubernetesJsonCopy(whole));
        var live = new InMemoryObjects<ImageBuild>().With(whole);
        var context = Builds.Context(cached, s => s.Phase = Phases.Building);

        var result = await new CancelStep(NoObjects(), live).RunAsync(context, CancellationToken.None);

        Assert.Null(cached.Metadata.ManagedFields);
        Assert.Equal("a client", CancelStep.SetBy(cached));
        Assert.True(result.Stop);
        Assert.Equal(Phases.Cancelled, context.Status.Phase);
        Assert.Contains("Cancelled by platform-api (" + Annotations.Cancel + ": wrong branch)", Assert.Single(context.Events).Message, StringComparison.Ordinal);
        Assert.Equal([("team", "app")], live.Reads);
    }

    [Fact]
    public async Task Run_ObjectWithManagedFields_NoLiveRead()
    {
        var build = Builds.New();
        build.Metadata.Annotations = new Dictionary<string, string> { [Annotations.Cancel] = "" };
        build.Metadata.ManagedFields = [new V1ManagedFieldsEntry { Manager = "image-builder", FieldsV1 = new { f_spec = new { } } }];
        var live = new InMemoryObjects<ImageBuild>();

        await new CancelStep(NoObjects(), live).RunAsync(Builds.Context(build, s => s.Phase = Phases.Queued), CancellationToken.None);

        Assert.Empty(live.Reads);
    }

    private static ImageBuild KubernetesJsonCopy(ImageBuild build) => k8s.KubernetesJson.Deserialize<ImageBuild>(k8s.KubernetesJson.Serialize(build));

    private static BuildTeardown NoObjects()
    {
        var (jobs, secrets) = (new InMemoryObjects<V1Job>(), new InMemoryObjects<V1Secret>());
        return new BuildTeardown(jobs, jobs, secrets, secrets);
    }
}
