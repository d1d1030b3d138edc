using ImageBuilder.Operator.Builds;

namespace ImageBuilder.Operator.Tests.Builds;

public sealed class RegistryChallengeTests
{
    [Fact]
    public void Parse_BearerChallenge_ReadsRealmServiceAndScope()
    {
        var parsed = RegistryChallenge.Parse("""realm="https://auth.example.test/token",service="registry.example.test",scope="repository:a/b:pull,push" """);

        Assert.Equal("https://auth.example.test/token", parsed["realm"]);
        Assert.Equal("registry.example.test", parsed["service"]);
        Assert.Equal("repository:a/b:pull,push", parsed["scope"]);
    }

    [Fact]
    public void Parse_Nothing_IsEmpty()
    {
        Assert.Empty(RegistryChallenge.Parse(null));
    }
}
