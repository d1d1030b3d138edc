using ImageBuilder.Operator.Api;
using ImageBuilder.Operator.Builds;

namespace ImageBuilder.Operator.Tests.Builds;

public sealed class BuildPlanValidatorTests
{
    [Fact]
    public void Validate_NoPlanOrFullPlan_IsValid()
    {
        Assert.Null(BuildPlanValidator.Validate(null));
        Assert.Null(BuildPlanValidator.Validate(BuildSamples.FullNixpacksPlan()));
        Assert.Null(BuildPlanValidator.Validate(BuildSamples.DockerfilePlan()));
    }

    [Theory]
    [InlineData("../other", "'..' is not allowed")]
    [InlineData("app/../../etc", "'..' is not allowed")]
    [InlineData("/etc", "must be relative")]
    [InlineData("C:/Windows", "must be relative")]
    [InlineData("app\\..\\x", "must be relative")]
    [InlineData("app\nx", "not a usable path")]
    public void Validate_RootDirectoryEscapingTheRepository_IsRejected(string root, string fragment)
    {
        var error = BuildPlanValidator.Validate(new BuildPlanSpec { RootDirectory = root });

        Assert.NotNull(error);
        Assert.Contains("rootDirectory", error, StringComparison.Ordinal);
        Assert.Contains(fragment, error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("../Dockerfile")]
    [InlineData("/Dockerfile")]
    [InlineData("./")]
    public void Validate_BadDockerfilePath_IsRejected(string path)
    {
        Assert.Contains("dockerfilePath", BuildPlanValidator.Validate(new BuildPlanSpec { DockerfilePath = path }), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("builder", "kaniko")]
    [InlineData("env", "1BAD")]
    [InlineData("env", "A-B")]
    [InlineData("pkg", "--evil")]
    [InlineData("pkg", "two words")]
    public void Validate_BadBuilderEnvOrPackage_IsRejected(string field, string value)
    {
        var plan = field switch
        {
            "builder" => new BuildPlanSpec { Builder = value },
            "env" => new BuildPlanSpec { Envs = [new BuildEnv { Key = value, Value = "x" }] },
            _ => new BuildPlanSpec { AptPkgs = [value] },
        };

        Assert.Contains(value, BuildPlanValidator.Validate(plan), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("nixpacks.yaml")]
    [InlineData("config/nixpacks")]
    [InlineData("nixpacks.TOML")]
    public void Validate_NixpacksPathNotTomlOrJson_IsRejected(string path)
    {
        var error = BuildPlanValidator.Validate(new BuildPlanSpec { NixpacksPath = path });

        // nixpacks bails with "Unknown file type" on any other extension (src/nixpacks/plan/generator.rs).
        Assert.Equal($"buildPlan.nixpacksPath '{path}' must name a nixpacks config file ending in .toml or .json.", error);
    }

    [Theory]
    [InlineData("nixpacks.toml")]
    [InlineData("deploy/nixpacks.json")]
    public void Validate_NixpacksPathTomlOrJson_IsValid(string path)
    {
        Assert.Null(BuildPlanValidator.Validate(new BuildPlanSpec { NixpacksPath = path }));
    }

    [Theory]
    [InlineData(null, "")]
    [InlineData(".", "")]
    [InlineData("./services//api/", "services/api")]
    public void NormalizePath_Variants_AreCanonical(string? path, string expected)
    {
        Assert.Equal(expected, BuildPlanValidator.NormalizePath(path));
    }
}
