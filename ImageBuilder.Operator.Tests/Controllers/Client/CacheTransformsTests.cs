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
        Labels = new Dictionary<string, string> { ["app.kubernetes.io/managed-by"] = "image-builder" },
    };

    [Fact]
    public void Metadata_ObjectWithManagedFieldsAndLastApplied_KeepsOnlyWhatIsRead()
    {
        var job = CacheTransforms.Metadata(new V1Job { Metadata = Meta() });

        Assert.Null(job.Metadata.ManagedFields);
        Assert.Equal(new Dictionary<string, string> { ["keep"] = "me" }, job.Metadata.Annotations);
        Assert.Equal("image-builder", job.Metadata.Labels["app.kubernetes.io/managed-by"]);
    }

    [Fact]
    public void Metadata_OnlyLastAppliedAnnotation_LeavesNoEmptyAnnotations()
    {
        var meta = Meta();
        meta.Annotations.Remove("keep");

        Assert.Null(CacheTransforms.Metadata(new V1Job { Metadata = meta }).Metadata.Annotations);
    }

    [Fact]
    public void Job_WholeJob_KeepsStatusAndDeadlineDropsPodTemplate()
    {
        var job = new V1Job
        {
            Metadata = Meta(),
            Spec = new V1JobSpec
            {
                ActiveDeadlineSeconds = 900,
                BackoffLimit = 0,
                Template = new V1PodTemplateSpec { Spec = new V1PodSpec { Containers = [new V1Container { Name = "build", Image = "buildkit" }] } },
            },
            Status = new V1JobStatus { Succeeded = 1, Conditions = [new V1JobCondition { Type = "Complete", Status = "True", Message = "done" }] },
        };

        var kept = CacheTransforms.Job(job);

        Assert.Equal(900, kept.Spec.ActiveDeadlineSeconds);
        Assert.Null(kept.Spec.Template);
        Assert.Equal(1, kept.Status.Succeeded);
        Assert.Equal(("Complete", "True", "done"), (kept.Status.Conditions[0].Type, kept.Status.Conditions[0].Status, kept.Status.Conditions[0].Message));
        Assert.Null(kept.Metadata.ManagedFields);
    }
}
