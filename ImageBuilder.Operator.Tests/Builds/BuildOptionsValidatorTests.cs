using ImageBuilder.Operator.Options;

namespace ImageBuilder.Operator.Tests.Builds;

public sealed class BuildOptionsValidatorTests
{
    [Fact]
    public void Validate_Defaults_AreValidOnceARegistryAndTheToolImagesAreSet()
    {
        var result = new BuildOptionsValidator().Validate(null, BuildSamples.DevOptions());

        Assert.True(result.Succeeded, result.FailureMessage);
    }

    [Fact]
    public void Validate_BadInsecureRegistryOrStorage_ReportsEachWithItsPath()
    {
        var options = BuildSamples.Options();
        options.InsecureRegistries.AddRange(["127.0.0.1:5000", "http://registry.example.test", "a b\"]\n[x"]);
        options.Storage.BuildKitSizeLimit = "lots";
        options.Storage.WorkspaceSizeLimit = "";

        var failures = new BuildOptionsValidator().Validate(null, options).Failures!.ToList();

        Assert.Equal(2, failures.Count(f => f.StartsWith("Build:InsecureRegistries:", StringComparison.Ordinal)));
        ValidationAssert.ReportsEach(failures, "Build:InsecureRegistries:1:", "Build:Storage:BuildKitSizeLimit:", "Build:Storage:WorkspaceSizeLimit:");
    }

    [Fact]
    public void Validate_ManyMistakes_ReportsEveryOneWithItsPath()
    {
        var options = new BuildOptions
        {
            Strategy = "docker",
            ImagePullPolicy = "Sometimes",
            DefaultTimeout = TimeSpan.Zero,
            Registry = "https://registry.example.test/v2",
            RegistryScheme = "ftp",
            RegistryPassword = "s3cret-password",
            ImageNameTemplate = "{registry}/{team}/{applicationID}:latest",
            RegistrySecretName = "Not A Name",
        };
        options.Images.Fetch = "";
        options.Resources.Limits["memory"] = "lots";

        var result = new BuildOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        var failures = result.Failures!.ToList();
        ValidationAssert.ReportsEach(failures, "Build:Strategy", "Build:ImagePullPolicy", "Build:DefaultTimeout", "Build:Registry:", "Build:RegistryScheme",
            "Build:RegistryUsername", "Build:RegistrySecretName", "Build:Images:Fetch", "Build:Resources:Limits:memory");
        Assert.Equal(2, failures.Count(f => f.StartsWith("Build:ImageNameTemplate", StringComparison.Ordinal)));
        Assert.DoesNotContain(failures, f => f.Contains("s3cret-password", StringComparison.Ordinal));
    }
}
