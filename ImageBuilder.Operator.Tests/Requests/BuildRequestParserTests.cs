using System.Text;
using System.Text.Json.Nodes;
using ImageBuilder.Operator.Api;
using ImageBuilder.Operator.Requests;

namespace ImageBuilder.Operator.Tests.Requests;

public sealed class BuildRequestParserTests
{
    private readonly BuildRequestParser _parser = new(64 * 1024);

    /// <summary>Parses <paramref name="body"/> as the bridge receives it: UTF-8 bytes.</summary>
    private BuildRequestParseResult Parse(string body) => _parser.Parse(RequestSamples.Bytes(body));

    /// <summary>Parses <paramref name="body"/>, which the parser must accept (its message says why not), to the request.</summary>
    private BuildRequest Accepted(string body)
    {
        var result = Parse(body);
        Assert.True(result.IsValid, result.Message);
        return result.Request!;
    }

    /// <summary>
    /// The request both sample forms make (<see cref="RequestSamples"/>): the same sender, repository and ref, however
    /// the fields are laid out.
    /// </summary>
    private static void AssertTheSampleSendersRequest(BuildRequest request)
    {
        Assert.Equal("65a1c0ffee", request.ApplicationId);
        Assert.Equal("18008", request.UserId);
        Assert.Equal(RequestSamples.Token, request.Token);
        Assert.Equal(Connectors.GitHub, request.Connector);
        Assert.Equal("vano2903/testing", request.Repo);
        Assert.Equal(RefTypes.Repo, request.Type);
        Assert.Equal("main", request.Branch);
        Assert.Null(request.Commit);
    }

    [Fact]
    public void Parse_FlatForm_ReturnsRequest()
    {
        var request = Accepted(RequestSamples.Flat());

        AssertTheSampleSendersRequest(request);
        Assert.Null(request.BuildPlan);
    }

    [Fact]
    public void Parse_NestedForm_ReturnsRequestWithBuildPlan()
    {
        var request = Accepted(RequestSamples.Nested());

        AssertTheSampleSendersRequest(request);
        var plan = request.BuildPlan!;
        Assert.Equal("app", plan.RootDirectory);
        Assert.Equal("nixpacks", plan.Builder);
        Assert.Equal("npm start", plan.StartCommand);
        Assert.Equal("NODE_ENV", Assert.Single(plan.Envs!).Key);
        Assert.Equal(["nodejs_20"], plan.NixPkgs!);
        Assert.Equal("npm run build", plan.BuildCommand);
    }

    [Fact]
    public void Parse_ApplicationIdMissing_IsAcceptedForOldSenders()
    {
        var request = Accepted(RequestSamples.Flat(o => o.Remove("applicationID")));

        Assert.Null(request.ApplicationId);
    }

    [Theory]
    [InlineData("")]
    [InlineData("latest")]
    [InlineData("LATEST")]
    public void Parse_CommitEmptyOrLatest_BuildsNewestCommitOfBranch(string commit)
    {
        var request = Accepted(RequestSamples.Flat(o => { o["type"] = "commit"; o["commit"] = commit; }));

        Assert.Equal(RefTypes.Repo, request.Type);
        Assert.Equal("main", request.Branch);
        Assert.Null(request.Commit);
    }

    public static TheoryData<string, string> GoShaped => GoSenderSamples.All("vano2903/testing", RequestSamples.Token);

    [Theory]
    [MemberData(nameof(GoShaped))]
    public void Parse_GoSenderWithEveryOptionalFieldEmpty_IsTheDefaultBuild(string label, string body)
    {
        var result = Parse(body);

        Assert.True(result.IsValid, $"{label}: {result.Message}");
        var request = result.Request!;
        Assert.Equal((RefTypes.Repo, Connectors.GitHub, "vano2903/testing"), (request.Type, request.Connector, request.Repo));
        Assert.Equal((null, null, null, null, null), (request.Branch, request.Tag, request.Release, request.Commit, request.BuildPlan));
        Assert.Equal(label == "flat" ? null : "65a1c0ffee", request.ApplicationId);
    }

    [Fact]
    public void Parse_GoSenderPlanWithSomeFieldsSet_KeepsOnlyThoseSet()
    {
        var body = GoSenderSamples.Nested("vano2903/testing", RequestSamples.Token, GoSenderSamples.EmptyList.Null)
            .Replace("\"dockerfilePath\":\"\"", "\"dockerfilePath\":\"docker/Dockerfile\"", StringComparison.Ordinal)
            .Replace("\"aptPkgs\":null", "\"aptPkgs\":[\"curl\"]", StringComparison.Ordinal);

        var plan = Accepted(body).BuildPlan!;

        Assert.Equal(("docker/Dockerfile", null, null, null), (plan.DockerfilePath, plan.Builder, plan.RootDirectory, plan.Envs));
        Assert.Equal(["curl"], plan.AptPkgs!);
    }

    [Theory]
    [InlineData("GitHub", "REPO", "LATEST", RefTypes.Repo, null)]
    [InlineData("github", "Commit", "3F2C9AB", RefTypes.Commit, "3f2c9ab")]
    public void Parse_ConnectorTypeAndCommitInOtherCase_AreLowerCasedBeforeTheRules(string connector, string type, string commit, string expectedType, string? expectedCommit)
    {
        var request = Accepted(RequestSamples.Flat(o => { o["connector"] = connector; o["type"] = type; o["commit"] = commit; }));

        Assert.Equal((Connectors.GitHub, expectedType, expectedCommit), (request.Connector, request.Type, request.Commit));
    }

    [Fact]
    public void Parse_NestedConcreteCommit_BuildsThatCommit()
    {
        var request = Accepted(RequestSamples.Nested(o => o["pullInfo"]!["commit"] = "3f2c9ab0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6"));

        Assert.Equal(RefTypes.Commit, request.Type);
        Assert.Equal("3f2c9ab0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6", request.Commit);
    }

    [Fact]
    public void Parse_TagAndRelease_KeepTheirRef()
    {
        var tag = Accepted(RequestSamples.Flat(o => { o["type"] = "tag"; o["tag"] = "v1.2.3"; }));
        var release = Accepted(RequestSamples.Flat(o => { o["type"] = "release"; o["release"] = "v2.0.0"; }));

        Assert.Equal("v1.2.3", tag.Tag);
        Assert.Equal(RefTypes.Tag, tag.Type);
        Assert.Equal("v2.0.0", release.Release);
        Assert.Equal(RefTypes.Release, release.Type);
    }

    [Fact]
    public void Parse_UnknownFieldsAndNulls_AreIgnored()
    {
        var body = RequestSamples.Flat(o =>
        {
            o["priority"] = 5;
            o["extra"] = new JsonObject { ["nested"] = new JsonArray(1, 2, 3) };
            o["tag"] = null;
        });

        var result = Parse(body);

        Assert.True(result.IsValid, result.Message);
    }

    [Fact]
    public void Parse_FieldNamesInOtherCase_AreAccepted()
    {
        var body = $$"""{"UserId":"18008","Token":"{{RequestSamples.Token}}","REPO":"vano2903/testing","Connector":"GitHub"}""";

        var request = Accepted(body);

        Assert.Equal(Connectors.GitHub, request.Connector);
    }

    [Fact]
    public void Parse_Utf8ByteOrderMark_IsAccepted()
    {
        var body = Encoding.UTF8.GetPreamble().Concat(RequestSamples.Bytes(RequestSamples.Flat())).ToArray();

        Assert.True(_parser.Parse(body).IsValid);
    }

    [Theory]
    [InlineData("https://git.example.org/team/app.git")]
    [InlineData("http://127.0.0.1:9418/demo/hello.git")]
    [InlineData("git://127.0.0.1/demo/hello")]
    public void Parse_GitConnectorWithUrl_IsAccepted(string url)
    {
        var request = Accepted(RequestSamples.Flat(o => { o["connector"] = "git"; o["repo"] = url; }));

        Assert.Equal(url, request.Repo);
    }

    [Fact]
    public void ToString_OfRequest_DoesNotContainToken()
    {
        var request = Accepted(RequestSamples.Flat());

        Assert.DoesNotContain(RequestSamples.Token, request.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_InvalidRequest_KeepsWhatIsKnownOfTheSender()
    {
        var result = Parse(RequestSamples.Flat(o => o["connector"] = "gitlab"));

        Assert.False(result.IsValid);
        Assert.Equal(new RequestIdentity("65a1c0ffee", "18008", "vano2903/testing"), result.Identity);
    }

    [Fact]
    public void Parse_SeveralProblems_AreAllNamedInOneSentence()
    {
        var result = Parse(RequestSamples.Flat(o => { o.Remove("token"); o["connector"] = "svn"; }));

        Assert.Equal(2, result.Errors.Count);
        Assert.StartsWith("The build request has 2 problems: ", result.Message, StringComparison.Ordinal);
        Assert.Contains("'token' is required", result.Message, StringComparison.Ordinal);
        Assert.Contains("Connector 'svn' is not supported", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_ManyProblems_MessageNamesTheFirstFiveAndCountsTheRest()
    {
        var envs = new JsonArray([.. Enumerable.Range(0, 60).Select(i => (JsonNode)new JsonObject { ["key"] = $"{i}BAD", ["value"] = "x" })]);
        var result = Parse(RequestSamples.Nested(o => o["buildPlan"]!["envs"] = envs));

        Assert.Equal(60, result.Errors.Count);
        Assert.StartsWith("The build request has 60 problems: ", result.Message, StringComparison.Ordinal);
        Assert.Contains("'4BAD'", result.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("'5BAD'", result.Message, StringComparison.Ordinal);
        Assert.EndsWith("; and 55 more.", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_FieldRepeatedManyTimes_IsOneProblem()
    {
        var body = "{" + string.Join(",", Enumerable.Repeat("\"repo\":\"a/b\"", 100)) + "}";

        var result = Parse(body);

        Assert.Single(result.Errors, e => e.Contains("appears more than once", StringComparison.Ordinal));
    }

    [Fact]
    public void Parse_OversizeMessage_IsRefusedWithTheLimit()
    {
        var body = RequestSamples.Flat(o => o["padding"] = new string('x', 70 * 1024));

        var result = Parse(body);

        Assert.False(result.IsValid);
        Assert.Contains("the limit is 65536 bytes", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_InvalidUtf8_IsRefusedAsNotJson()
    {
        var body = RequestSamples.Bytes(RequestSamples.Flat()).ToArray();
        body[20] = 0xC3;
        body[21] = 0x28;

        var result = _parser.Parse(body);

        Assert.False(result.IsValid);
        Assert.Contains("not valid UTF-8 JSON", result.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(HostileCorpus.Cases), MemberType = typeof(HostileCorpus))]
    public void Parse_MalformedOrHostileMessage_IsRefusedWithClearMessage(string label, string body, string expected)
    {
        var result = Parse(body);

        Assert.False(result.IsValid, label);
        Assert.Contains(expected, result.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(RequestSamples.Token, result.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("S3cret", result.Message, StringComparison.Ordinal);
        Assert.EndsWith(".", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void HostileCorpus_HasAtLeastFortyCases()
    {
        Assert.True(HostileCorpus.Cases.Count >= 40);
    }
}
