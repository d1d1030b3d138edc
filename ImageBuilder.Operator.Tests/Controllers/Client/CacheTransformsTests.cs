using ImageBuilder.Operator.Controllers.Client;
using k8s.Models;

namespace ImageBuilder.Operator.Tests.Controllers.Client;

public sealed class CacheTransformsTests
{
    private static V1ObjectMeta Meta() => new()
    {
        Name = "b1",
        NamespaceProperty = "ns",
        ManagedFields = [new V1ManagedFieldsEntry { Manager = "kubectl", Operation = "Apply" }],
        Annotations = new Dictionary<string, string> { [CacheTransforms.LastAppliedAnnotation] = "{\"whole\":\"object\"}", ["keep"] = "me" },
        Labels = new Dictionary<string, string> { [CacheTransforms.ManagedByLabel] = "a-tool" },
    };

    [Fact]
    public void Metadata_ObjectWithManagedFieldsAndLastApplied_KeepsOnlyWhatIsRead()
    {
        var job = CacheTransforms.Metadata(new V1Job { Metadata = Meta() });

        Assert.Null(job.Metadata.ManagedFields);
        Assert.Equal(new Dictionary<string, string> { ["keep"] = "me" }, job.Metadata.Annotations);
        Assert.Equal("a-tool", job.Metadata.Labels[CacheTransforms.ManagedByLabel]);
    }

    [Fact]
    public void Metadata_OnlyLastAppliedAnnotation_LeavesNoEmptyAnnotations()
    {
        var meta = Meta();
        meta.Annotations.Remove("keep");

        Assert.Null(CacheTransforms.Metadata(new V1Job { Metadata = meta }).Metadata.Annotations);
    }
}
