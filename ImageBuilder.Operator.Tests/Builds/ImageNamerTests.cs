using ImageBuilder.Operator.Builds;

namespace ImageBuilder.Operator.Tests.Builds;

public sealed class ImageNamerTests
{
    [Fact]
    public void For_DefaultTemplate_RegistryUserApplicationTaggedWithCommit()
    {
        var name = Namer().For(BuildSamples.Build(), BuildSamples.Commit.ToUpperInvariant());

        Assert.Equal("127.0.0.1:5000/18008/65a1c0ffee", name.Repository);
        Assert.Equal(BuildSamples.Commit, name.Tag);
        Assert.Equal($"127.0.0.1:5000/18008/65a1c0ffee:{BuildSamples.Commit}", name.Reference);
        Assert.Equal(("127.0.0.1:5000", "18008/65a1c0ffee"), (name.Registry, name.Path));
    }

    [Theory]
    [InlineData(null, "vano2903/testing", "vano2903-testing")]
    [InlineData("", "https://git.example.test/Team/My_Service.git", "team-my_service")]
    [InlineData("  ", "Owner/Repo", "owner-repo")]
    public void For_NoApplicationId_FallsBackToTheRepository(string? applicationId, string repo, string expected)
    {
        var build = BuildSamples.Build(applicationId: applicationId);
        build.Spec.Source.Repo = repo;

        Assert.Equal($"127.0.0.1:5000/18008/{expected}", Namer().For(build, BuildSamples.Commit).Repository);
    }

    [Theory]
    [InlineData("App ID/../x", "app-id-x")]
    [InlineData("UPPER.case__ok", "upper.case__ok")]
    [InlineData("a..b._c", "a-b-c")]
    [InlineData("---", "app")]
    public void For_OddApplicationId_ProducesAValidPathComponent(string applicationId, string expected)
    {
        var name = Namer().For(BuildSamples.Build(applicationId: applicationId), BuildSamples.Commit);

        Assert.Equal($"127.0.0.1:5000/18008/{expected}", name.Repository);
    }

    [Fact]
    public void For_SpecImage_OverridesTheTemplate()
    {
        var build = BuildSamples.Build();
        build.Spec.Image = "Registry.Example.Test/Team/App";

        Assert.Equal("registry.example.test/team/app", Namer().For(build, BuildSamples.Commit).Repository);
    }

    [Fact]
    public void For_CustomTemplate_UsesIt()
    {
        var options = BuildSamples.Options();
        options.ImageNameTemplate = "{registry}/apps/{userID}-{applicationID}";

        var name = new ImageNamer(BuildSamples.Wrap(options)).For(BuildSamples.Build(), BuildSamples.Commit);

        Assert.Equal("127.0.0.1:5000/apps/18008-65a1c0ffee", name.Repository);
    }

    [Theory]
    [InlineData("127.0.0.1:5000/a/b:tag", "127.0.0.1:5000/a/b", "tag")]
    [InlineData("127.0.0.1:5000/a/b", "127.0.0.1:5000/a/b", "latest")]
    [InlineData("busybox", "busybox", "latest")]
    public void Parse_Reference_SplitsAtTheTagColon(string reference, string repository, string tag)
    {
        Assert.Equal(new ImageName(repository, tag), ImageName.Parse(reference));
    }

    private static ImageNamer Namer() => new(BuildSamples.Wrap(BuildSamples.Options()));
}
