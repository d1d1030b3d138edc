using ImageBuilder.Operator.Api;
using ImageBuilder.Operator.Requests;
using ImageBuilder.Operator.Tests.Builds;

namespace ImageBuilder.Operator.Tests.Requests;

public sealed class BuildPlanRulesTests
{
    private static string? Validate(BuildPlanSpec? plan)
    {
        var errors = new List<string>();
        BuildPlanRules.Check(plan, errors);
        return errors.Count == 0 ? null : string.Join(" ", errors);
    }

    [Fact]
    public void Validate_NoPlanOrFullPlan_IsValid()
    {
        Assert.Null(Validate(null));
        Assert.Null(Validate(BuildSamples.FullNixpacksPlan()));
        Assert.Null(Validate(BuildSamples.DockerfilePlan()));
    }

    [Theory]
    [InlineData("../other", "'..' is not allowed")]
    [InlineData("app/../../etc", "'..' is not allowed")]
    [InlineData("/etc", "must be relative")]
    [InlineData("C:/Windows", "must be relative")]
    [InlineData("app\\..\\x", "must be relative")]
    [InlineData("app\nx", "printable ASCII")]
    [InlineData("C:app", "drive letter")]
    public void Validate_RootDirectoryEscapingTheRepository_IsRejected(string root, string fragment)
    {
        var error = Validate(new BuildPlanSpec { RootDirectory = root });

        Assert.NotNull(error);
        Assert.Contains("rootDirectory", error, StringComparison.Ordinal);
        Assert.Contains(fragment, error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("../Dockerfile")]
    [InlineData("/Dockerfile")]
    [InlineData("./")]
    [InlineData("docker/")]
    public void Validate_BadDockerfilePath_IsRejected(string path)
    {
        Assert.Contains("dockerfilePath", Validate(new BuildPlanSpec { DockerfilePath = path }), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("builder", "kaniko")]
    [InlineData("env", "1BAD")]
    [InlineData("env", "A-B")]
    [InlineData("pkg", "--evil")]
    [InlineData("pkg", "two words")]
    [InlineData("pkg", "-x")]
    public void Validate_BadBuilderEnvOrPackage_IsRejected(string field, string value)
    {
        var plan = field switch
        {
            "builder" => new BuildPlanSpec { Builder = value },
            "env" => new BuildPlanSpec { Envs = [new BuildEnv { Key = value, Value = "x" }] },
            _ => new BuildPlanSpec { AptPkgs = [value] },
        };

        Assert.Contains(value, Validate(plan), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, "")]
    [InlineData(".", "")]
    [InlineData("./services//api/", "services/api")]
    public void NormalizePath_Variants_AreCanonical(string? path, string expected)
    {
        Assert.Equal(expected, BuildPlanRules.NormalizePath(path));
    }

    [Theory]
    [InlineData("nixpacks.toml", true)]
    [InlineData("ci/nixpacks.json", true)]
    [InlineData("nixpacks.yaml", false)]
    [InlineData("nixpacks", false)]
    public void Check_NixpacksPath_MustNameATomlOrJsonFile(string path, bool valid)
    {
        Assert.Equal(valid, Validate(new BuildPlanSpec { NixpacksPath = path }) is null);
    }

    [Fact]
    public void Normalize_GoShapedEmptyPlan_IsNoPlan()
    {
        var plan = new BuildPlanSpec { RootDirectory = "", Builder = "", StartCommand = "", DockerfilePath = "", NixpacksPath = "", Envs = [], NixPkgs = [], NixLibs = null, AptPkgs = [], InstallCommand = "", BuildCommand = "" };

        Assert.Null(BuildPlanRules.Normalize(plan));
    }

    [Fact]
    public void Normalize_PartlyEmptyPlan_KeepsOnlyWhatIsSet()
    {
        var plan = BuildPlanRules.Normalize(new BuildPlanSpec { Builder = "", DockerfilePath = "Dockerfile", Envs = [new BuildEnv { Key = "A", Value = null }], AptPkgs = [] })!;

        Assert.Equal((null, "Dockerfile", null), (plan.Builder, plan.DockerfilePath, plan.AptPkgs));
        // An empty value is no value (BuildEnv): the same to every reader, and what this 1.20 apiserver stores.
        Assert.Null(Assert.Single(plan.Envs!).Value);
    }
}
