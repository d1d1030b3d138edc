using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using ImageBuilder.Operator.Requests;

namespace ImageBuilder.Operator.Tests.Requests;

public sealed partial class BuildNamingTests
{
    private static readonly BuildRequestParser Parser = new(64 * 1024);

    private static BuildRequest Request(Action<JsonObject>? change = null) =>
        Parser.Parse(RequestSamples.Bytes(RequestSamples.Flat(change))).Request ?? throw new InvalidOperationException("sample invalid");

    [Fact]
    public void NameFor_SameRequestParsedTwice_IsTheSame()
    {
        Assert.Equal(BuildNaming.NameFor(Request(), null), BuildNaming.NameFor(Request(), null));
        Assert.Equal(BuildNaming.NameFor(Request(), "m-1"), BuildNaming.NameFor(Request(), "m-1"));
    }

    [Fact]
    public void NameFor_FieldOrderAndUnknownFields_DoNotMatter()
    {
        var reordered = Parser.Parse(RequestSamples.Bytes(
            $$"""{"branch":"main","repo":"vano2903/testing","connector":"github","type":"repo","userID":"18008","token":"{{RequestSamples.Token}}","applicationID":"65a1c0ffee","x":1}""")).Request!;

        Assert.Equal(BuildNaming.NameFor(Request(), null), BuildNaming.NameFor(reordered, null));
    }

    public static TheoryData<string, string> Changes => new()
    {
        { "applicationID", "other-app" },
        { "userID", "18009" },
        { "repo", "vano2903/other" },
        { "branch", "develop" },
        { "token", "gho_another" },
    };

    [Theory]
    [MemberData(nameof(Changes))]
    public void NameFor_AnyFieldChanged_Differs(string field, string value)
    {
        Assert.NotEqual(BuildNaming.NameFor(Request(), null), BuildNaming.NameFor(Request(o => o[field] = value), null));
    }

    [Fact]
    public void NameFor_MessageIdOrGeneration_Differs()
    {
        var names = new[]
        {
            BuildNaming.NameFor(Request(), null),
            BuildNaming.NameFor(Request(), "m-1"),
            BuildNaming.NameFor(Request(), "m-2"),
            BuildNaming.NameFor(Request(), null, 1),
            BuildNaming.NameFor(Request(), "m-1", 1),
        };

        Assert.Equal(names.Length, names.Distinct().Count());
    }

    [Fact]
    public void NameFor_Always_IsAValidKubernetesNameWithoutToken()
    {
        var name = BuildNaming.NameFor(Request(), "any message id / with spaces");

        Assert.Matches(DnsLabel(), name);
        Assert.Matches(DnsLabel(), BuildNaming.TokenSecretName(name));
        Assert.Equal(19, name.Length);
        Assert.DoesNotContain("gho_", name, StringComparison.Ordinal);
    }

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")]
    private static partial Regex DnsLabel();
}
