using ImageBuilder.Operator.Api;
using ImageBuilder.Operator.Controllers;
using ImageBuilder.Operator.Controllers.Hosting;
using k8s.Models;

namespace ImageBuilder.Operator.Tests.Controllers.Hosting;

public sealed class OwnerKeysTests
{
    [Fact]
    public void ForJob_OwnerReferenceOfImageBuild_ReturnsOwnerKeyInJobNamespace()
    {
        var job = Job(owners: [Owner(ImageBuild.ApiGroupVersion, ImageBuild.KindName, "build-1")]);

        Assert.Equal(new ObjectKey("team-a", "build-1"), OwnerKeys.ForJob<ImageBuild>(job));
    }

    [Fact]
    public void ForJob_OwnerOfOtherKindFirst_PicksTheImageBuild()
    {
        var job = Job(owners: [Owner("batch/v1", "CronJob", "nightly"), Owner(ImageBuild.ApiGroupVersion, ImageBuild.KindName, "build-2")]);

        Assert.Equal(new ObjectKey("team-a", "build-2"), OwnerKeys.ForJob<ImageBuild>(job));
    }

    [Fact]
    public void ForJob_SameKindFromAnotherGroup_IsNotTheOwner()
    {
        var job = Job(owners: [Owner("other.example/v1", ImageBuild.KindName, "impostor")]);

        Assert.Null(OwnerKeys.ForJob<ImageBuild>(job));
    }

    [Fact]
    public void ForJob_NoOwnerReferenceButBuildLabel_FallsBackToLabel()
    {
        var job = Job(labels: new Dictionary<string, string> { [Annotations.BuildLabel] = "build-3" });

        Assert.Equal(new ObjectKey("team-a", "build-3"), OwnerKeys.ForJob<ImageBuild>(job));
    }

    [Fact]
    public void ForJob_OwnerReferenceAndLabelDisagree_OwnerReferenceWins()
    {
        var job = Job(
            owners: [Owner(ImageBuild.ApiGroupVersion, ImageBuild.KindName, "from-owner")],
            labels: new Dictionary<string, string> { [Annotations.BuildLabel] = "from-label" });

        Assert.Equal(new ObjectKey("team-a", "from-owner"), OwnerKeys.ForJob<ImageBuild>(job));
    }

    [Fact]
    public void ForJob_NeitherOwnerNorLabel_ReturnsNull()
    {
        Assert.Null(OwnerKeys.ForJob<ImageBuild>(Job()));
    }

    private static V1OwnerReference Owner(string apiVersion, string kind, string name) =>
        new() { ApiVersion = apiVersion, Kind = kind, Name = name, Uid = Guid.NewGuid().ToString() };

    private static V1Job Job(IList<V1OwnerReference>? owners = null, IDictionary<string, string>? labels = null) => new()
    {
        Metadata = new V1ObjectMeta { Name = "job-1", NamespaceProperty = "team-a", OwnerReferences = owners, Labels = labels },
    };
}
