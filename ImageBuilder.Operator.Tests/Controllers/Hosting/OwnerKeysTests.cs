using ImageBuilder.Operator.Api;
using ImageBuilder.Operator.Controllers;
using ImageBuilder.Operator.Controllers.Hosting;
using k8s.Models;

namespace ImageBuilder.Operator.Tests.Controllers.Hosting;

public sealed class OwnerKeysTests
{
    private const string OwnerLabel = "example.test/owner";

    [Fact]
    public void For_OwnerReferenceOfImageBuild_ReturnsOwnerKeyInJobNamespace()
    {
        var job = Job(owners: [Owner(ImageBuild.ApiGroupVersion, ImageBuild.KindName, "build-1")]);

        Assert.Equal(new ObjectKey("team-a", "build-1"), OwnerKeys.For<ImageBuild>(job, OwnerLabel));
    }

    [Fact]
    public void For_OwnerOfOtherKindFirst_PicksTheImageBuild()
    {
        var job = Job(owners: [Owner("batch/v1", "CronJob", "nightly"), Owner(ImageBuild.ApiGroupVersion, ImageBuild.KindName, "build-2")]);

        Assert.Equal(new ObjectKey("team-a", "build-2"), OwnerKeys.For<ImageBuild>(job, OwnerLabel));
    }

    [Fact]
    public void For_SameKindFromAnotherGroup_IsNotTheOwner()
    {
        var job = Job(owners: [Owner("other.example/v1", ImageBuild.KindName, "impostor")]);

        Assert.Null(OwnerKeys.For<ImageBuild>(job, OwnerLabel));
    }

    [Fact]
    public void For_NoOwnerReferenceButBuildLabel_FallsBackToLabel()
    {
        var job = Job(labels: new Dictionary<string, string> { [OwnerLabel] = "build-3" });

        Assert.Equal(new ObjectKey("team-a", "build-3"), OwnerKeys.For<ImageBuild>(job, OwnerLabel));
    }

    [Fact]
    public void For_OwnerReferenceAndLabelDisagree_OwnerReferenceWins()
    {
        var job = Job(
            owners: [Owner(ImageBuild.ApiGroupVersion, ImageBuild.KindName, "from-owner")],
            labels: new Dictionary<string, string> { [OwnerLabel] = "from-label" });

        Assert.Equal(new ObjectKey("team-a", "from-owner"), OwnerKeys.For<ImageBuild>(job, OwnerLabel));
    }

    [Fact]
    public void For_LabelButNoOwnerLabelNamed_ReturnsNull()
    {
        var job = Job(labels: new Dictionary<string, string> { [OwnerLabel] = "build-4" });

        Assert.Null(OwnerKeys.For<ImageBuild>(job));
    }

    [Fact]
    public void For_NeitherOwnerNorLabel_ReturnsNull()
    {
        Assert.Null(OwnerKeys.For<ImageBuild>(Job(), OwnerLabel));
    }

    private static V1OwnerReference Owner(string apiVersion, string kind, string name) =>
        new() { ApiVersion = apiVersion, Kind = kind, Name = name, Uid = Guid.NewGuid().ToString() };

    private static V1Job Job(IList<V1OwnerReference>? owners = null, IDictionary<string, string>? labels = null) => new()
    {
        Metadata = new V1ObjectMeta { Name = "job-1", NamespaceProperty = "team-a", OwnerReferences = owners, Labels = labels },
    };
}
