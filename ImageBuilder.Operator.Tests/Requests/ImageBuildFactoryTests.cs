using System.Text;
using ImageBuilder.Operator.Api;
using ImageBuilder.Operator.Requests;
using k8s;
using k8s.Models;

namespace ImageBuilder.Operator.Tests.Requests;

public sealed class ImageBuildFactoryTests
{
    private static readonly BuildRequest Request =
        new BuildRequestParser(65536).Parse(RequestSamples.Bytes(RequestSamples.Nested())).Request!;

    [Fact]
    public void NewImageBuild_FromRequest_CarriesRequestWithoutToken()
    {
        var build = ImageBuildFactory.NewImageBuild(Request, "ib-0123456789abcdef", "builds", "msg-1");

        Assert.Equal("ib-0123456789abcdef", build.Metadata.Name);
        Assert.Equal("builds", build.Metadata.NamespaceProperty);
        Assert.Equal(Annotations.ManagedByValue, build.Metadata.Labels[Annotations.ManagedByLabel]);
        Assert.Equal("msg-1", build.Metadata.Annotations[ImageBuildFactory.MessageIdAnnotation]);
        Assert.Equal("65a1c0ffee", build.Spec.ApplicationId);
        Assert.Equal("18008", build.Spec.UserId);
        Assert.Equal("vano2903/testing", build.Spec.Source.Repo);
        Assert.Equal(Connectors.GitHub, build.Spec.Source.Connector);
        Assert.Equal(RefTypes.Repo, build.Spec.Source.Type);
        Assert.Equal("main", build.Spec.Source.Branch);
        Assert.Equal("ib-0123456789abcdef-token", build.Spec.Source.TokenSecretRef!.Name);
        Assert.Equal("token", build.Spec.Source.TokenSecretRef.Key);
        Assert.Equal("nixpacks", build.Spec.BuildPlan!.Builder);
        Assert.DoesNotContain(RequestSamples.Token, KubernetesJson.Serialize(build), StringComparison.Ordinal);
    }

    [Fact]
    public void NewTokenSecret_ForBuild_IsLabelledOpaqueWithTokenKey()
    {
        var secret = ImageBuildFactory.NewTokenSecret("ib-0123456789abcdef", "builds", RequestSamples.Token);

        Assert.Equal("ib-0123456789abcdef-token", secret.Metadata.Name);
        Assert.Equal("Opaque", secret.Type);
        Assert.Equal(RequestSamples.Token, Encoding.UTF8.GetString(secret.Data["token"]));
        Assert.Equal("image-builder", secret.Metadata.Labels["app.kubernetes.io/managed-by"]);
        Assert.Equal("ib-0123456789abcdef", secret.Metadata.Labels["imagebuilder.ipaas.dev/imagebuild"]);
    }

    [Fact]
    public void OwnerReference_OfBuild_PointsAtItByUid()
    {
        var owner = new ImageBuild { Metadata = new V1ObjectMeta { Name = "ib-1", Uid = "u-1" } };

        var reference = ImageBuildFactory.OwnerReference(owner);

        Assert.Equal(("imagebuilder.ipaas.dev/v1alpha1", "ImageBuild", "ib-1", "u-1"), (reference.ApiVersion, reference.Kind, reference.Name, reference.Uid));
    }
}
