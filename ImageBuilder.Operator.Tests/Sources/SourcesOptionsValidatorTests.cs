using ImageBuilder.Operator.Options;

namespace ImageBuilder.Operator.Tests.Sources;

public sealed class SourcesOptionsValidatorTests
{
    [Fact]
    public void Validate_HostsNamesPatternsAndAddresses_Pass()
    {
        var options = new SourcesOptions { Git = new GitSourceOptions { AllowedHosts = ["git.example.com", "*.corp.example", "127.0.0.1", "[::1]"] } };

        Assert.True(new SourcesOptionsValidator().Validate(null, options).Succeeded);
    }

    [Fact]
    public void Validate_UrlsAndPorts_FailWithEveryPath()
    {
        var options = new SourcesOptions { Git = new GitSourceOptions { AllowedHosts = ["ok.example", "https://git.example.com", "git.example.com:443", " "] } };

        var result = new SourcesOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Equal(3, result.Failures!.Count());
        Assert.Contains(result.Failures!, f => f.StartsWith("Sources:Git:AllowedHosts:1 ", StringComparison.Ordinal));
        Assert.Contains(result.Failures!, f => f.StartsWith("Sources:Git:AllowedHosts:3 ", StringComparison.Ordinal));
    }
}
