using System.Text.Json.Nodes;
using ImageBuilder.Fuzz;
using ImageBuilder.Operator.Tests.Deploy;
using ImageBuilder.Operator.Tests.Requests;

namespace ImageBuilder.Operator.Tests.Fuzz;

/// <summary>
/// The fuzz target's schema checker must refuse what the apiserver refuses, or the fuzzer's
/// "every acceptance satisfies the CRD" would pass vacuously.
/// </summary>
public sealed class CrdSchemaCheckerTests
{
    private static readonly CrdSchema Schema = CrdSchema.Load(Path.Combine(Helm.RepoRoot, "deploy", "crds", CrdSchema.FileName));

    private static JsonObject Build(Action<JsonObject>? change = null)
    {
        var spec = RuleCases.BaseSpec();
        change?.Invoke(spec);
        return new JsonObject
        {
            ["apiVersion"] = "imagebuilder.ipaas.dev/v1alpha1",
            ["kind"] = "ImageBuild",
            ["metadata"] = new JsonObject { ["name"] = "x" },
            ["spec"] = spec,
        };
    }

    [Fact]
    public void BridgeSample_SatisfiesTheSchema() => Assert.Empty(Schema.Violations(Build()));

    public static TheoryData<string, string, string> Breaks => new()
    {
        { "branch with a final newline (Go's $ ends the text)", "source.branch", "\"main\\n\"" },
        { "applicationID of 129", "applicationID", "\"a" + new string('1', 128) + "\"" },
        { "connector outside the enum", "source.connector", "\"svn\"" },
        { "userID null, not nullable", "userID", "null" },
        { "userID a number", "userID", "18008" },
        { "commit upper case", "source.commit", "\"ABCDEF0\"" },
        { "field the schema lacks", "source.ref", "\"main\"" },
        { "env key empty", "buildPlan.envs", "[{\"key\":\"\",\"value\":\"x\"}]" },
        { "101 packages", "buildPlan.aptPkgs", "[" + string.Join(",", Enumerable.Range(0, 101).Select(i => $"\"p{i}\"")) + "]" },
        { "maxRetries above maximum", "maxRetries", "21" },
        { "repo with a space after the scheme", "source.repo", "\"https://a b\"" },
        { "255 runes of a 4-byte character count as 255, 256 do not", "source.branch", "\"" + string.Concat(Enumerable.Repeat("\\ud83d\\ude00", 256)) + "\"" },
    };

    [Theory]
    [MemberData(nameof(Breaks))]
    public void Violations_NameTheBrokenField(string label, string path, string json)
    {
        var build = Build(spec => Set(spec, path.Split('.'), JsonNode.Parse(json)));

        var violations = Schema.Violations(build);

        Assert.True(violations.Count > 0, $"{label}: accepted");
        Assert.Contains(violations, v => v.StartsWith("spec." + path.Split('.')[0], StringComparison.Ordinal));
    }

    [Fact]
    public void RequiredSource_Missing_IsAViolation()
    {
        var violations = Schema.Violations(Build(spec => spec.Remove("source")));

        Assert.Contains("spec: required field 'source' is missing", violations);
    }

    [Theory]
    [InlineData(@"^[A-Za-z0-9._/-]*$", @"^[A-Za-z0-9._/-]*\z")]
    [InlineData(@"^(https?|git)://[^\s@]+$", @"^(https?|git)://[^\t\n\f\r @]+\z")]
    [InlineData(@"^\s\d$", @"^[\t\n\f\r ][0-9]\z")]
    [InlineData(@"^([^/\\][^\\]*)?$", @"^([^/\\][^\\]*)?\z")]
    [InlineData(@"^[$]\$$", @"^[$]\$\z")]
    public void GoPattern_TranslatesEndAnchorAndAsciiClasses(string go, string dotnet) =>
        Assert.Equal(dotnet, GoPattern.Translate(go));

    private static void Set(JsonObject target, string[] path, JsonNode? value)
    {
        for (var i = 0; i < path.Length - 1; i++)
        {
            target = target[path[i]] as JsonObject ?? throw new InvalidOperationException($"no object at {path[i]}");
        }
        target[path[^1]] = value;
    }
}
