using ImageBuilder.Operator.Api;
using ImageBuilder.Operator.Reconciliation;
using k8s.Models;

namespace ImageBuilder.Operator.Tests.Reconciliation;

public sealed class JobCacheTrimTests
{
    [Fact]
    public void Trim_WholeJob_KeepsStatusAndDeadlineDropsPodTemplate()
    {
        var job = new V1Job
        {
            Metadata = new V1ObjectMeta
            {
                Name = "b1-attempt-1",
                NamespaceProperty = "ns",
                ManagedFields = [new V1ManagedFieldsEntry { Manager = "image-builder", Operation = "Update" }],
                Labels = new Dictionary<string, string> { [Annotations.ManagedByLabel] = Annotations.ManagedByValue },
            },
            Spec = new V1JobSpec
            {
                ActiveDeadlineSeconds = 900,
                BackoffLimit = 0,
                Template = new V1PodTemplateSpec { Spec = new V1PodSpec { Containers = [new V1Container { Name = "build", Image = "buildkit" }] } },
            },
            Status = new V1JobStatus { Succeeded = 1, Conditions = [new V1JobCondition { Type = "Complete", Status = "True", Message = "done" }] },
        };

        var kept = JobCacheTrim.Trim(job);

        Assert.Equal(900, kept.Spec.ActiveDeadlineSeconds);
        Assert.Null(kept.Spec.Template);
        Assert.Equal(1, kept.Status.Succeeded);
        Assert.Equal(("Complete", "True", "done"), (kept.Status.Conditions[0].Type, kept.Status.Conditions[0].Status, kept.Status.Conditions[0].Message));
        Assert.Null(kept.Metadata.ManagedFields);
    }
}
