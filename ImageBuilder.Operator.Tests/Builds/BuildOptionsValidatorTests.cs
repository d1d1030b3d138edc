using ImageBuilder.Operator.Options;

namespace ImageBuilder.Operator.Tests.Builds;

public sealed class BuildOptionsValidatorTests
{
    [Fact]
    public void Validate_Defaults_AreValidOnceARegistryIsSet()
    {
        var result = new BuildOptionsValidator().Validate(null, new BuildOptions { Registry = "127.0.0.1:5000" });

        Assert.True(result.Succeeded, result.FailureMessage);
    }

    [Fact]
    public void Validate_ManyMistakes_ReportsEveryOneWithItsPath()
    {
        var options = new BuildOptions
        {
            Strategy = "kaniko",
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
        foreach (var path in new[] { "Build:Strategy", "Build:ImagePullPolicy", "Build:DefaultTimeout", "Build:Registry:", "Build:RegistryScheme", "Build:RegistryUsername", "Build:RegistrySecretName", "Build:Images:Fetch", "Build:Resources:Limits:memory" })
        {
            Assert.Contains(failures, f => f.StartsWith(path, StringComparison.Ordinal));
        }
        Assert.Equal(2, failures.Count(f => f.StartsWith("Build:ImageNameTemplate", StringComparison.Ordinal)));
        Assert.DoesNotContain(failures, f => f.Contains("s3cret-password", StringComparison.Ordinal));
    }
}
