using ImageBuilder.Operator.Api;
using ImageBuilder.Operator.Controllers.Hosting;
using k8s.Models;

namespace ImageBuilder.Operator.Tests.Controllers.Hosting;

public sealed class ChangePredicatesTests
{
    public static TheoryData<string, Action<ImageBuild>, bool> Changes => new()
    {
        { "status only", b => b.Status = new ImageBuildStatus { Phase = Phases.Building, ObservedGeneration = 3 }, false },
        { "resourceVersion only", b => b.Metadata.ResourceVersion = "999", false },
        { "managedFields only", b => b.Metadata.ManagedFields = [new V1ManagedFieldsEntry { Manager = "image-builder", Operation = "Update" }], false },
        { "generation", b => b.Metadata.Generation = 4, true },
        { "label added", b => b.Metadata.Labels["team"] = "x", true },
        { "label value", b => b.Metadata.Labels["app"] = "other", true },
        { "annotation added", b => b.Metadata.Annotations = new Dictionary<string, string> { [Annotations.RetryReleased] = "2" }, true },
        { "deletion requested", b => b.Metadata.DeletionTimestamp = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc), true },
        { "finalizer removed", b => b.Metadata.Finalizers = [], true },
    };

    [Theory]
    [MemberData(nameof(Changes))]
    public void SpecOrMetadataChanged_Change_EnqueuesOnlyForSpecOrMetadata(string change, Action<ImageBuild> mutate, bool expected)
    {
        ArgumentNullException.ThrowIfNull(mutate);
        var before = Build();
        var after = Build();

        mutate(after);

        Assert.True(expected == ChangePredicates.SpecOrMetadataChanged(before, after), change);
    }

    [Fact]
    public void SpecOrMetadataChanged_Resync_SameInstance_Enqueues()
    {
        var build = Build();

        Assert.True(ChangePredicates.SpecOrMetadataChanged(build, build));
    }

    [Fact]
    public void SpecOrMetadataChanged_NullAndEmptyLabels_AreEqual()
    {
        var before = Build();
        var after = Build();
        before.Metadata.Labels = null;
        after.Metadata.Labels = new Dictionary<string, string>();
        before.Metadata.Annotations = null;
        after.Metadata.Finalizers = null;
        before.Metadata.Finalizers = [];

        Assert.False(ChangePredicates.SpecOrMetadataChanged(before, after));
    }

    private static ImageBuild Build() => new()
    {
        Metadata = new V1ObjectMeta
        {
            Name = "b1",
            NamespaceProperty = "ns",
            Generation = 3,
            ResourceVersion = "100",
            Labels = new Dictionary<string, string> { ["app"] = "demo" },
            Finalizers = [ImageBuild.Group + "/cleanup"],
        },
    };
}
