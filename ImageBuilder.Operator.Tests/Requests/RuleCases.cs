using System.Text.Json.Nodes;
using ImageBuilder.Operator.Api;
using ImageBuilder.Operator.Requests;
using k8s;

namespace ImageBuilder.Operator.Tests.Requests;

/// <summary>
/// The request rules as a table: each case changes fields of a valid request, named by their path in
/// an ImageBuild's spec (<c>source.branch</c>, <c>buildPlan.aptPkgs</c>), and says whether the
/// result is valid. The same change applies to a flat and a nested BuildRequest (the bridge's entry
/// point) and to a spec (the reconciler's and the CRD schema's). Values are those after the
/// bridge's normalisation (lower-case connector, type and commit), which its own tests cover.
/// </summary>
public static class RuleCases
{
    private static readonly Dictionary<string, RuleCase> All = new List<RuleCase>
    {
        Valid("the samples as they are"),
        Valid("applicationID empty", ("applicationID", "")),
        Valid("applicationID null", ("applicationID", null)),
        Valid("applicationID of 128", ("applicationID", "a" + new string('1', 127))),
        Valid("branch empty", ("source.branch", "")),
        Valid("branch null", ("source.branch", null)),
        Valid("branch with slash", ("source.branch", "feature/x-1.2_b")),
        Valid("tag and release empty", ("source.tag", ""), ("source.release", "")),
        Valid("commit empty", ("source.commit", "")),
        Valid("commit latest", ("source.commit", "latest")),
        Valid("commit short sha", ("source.type", "commit"), ("source.commit", "3f2c9ab")),
        Valid("commit full sha", ("source.type", "commit"), ("source.commit", new string('a', 40))),
        Valid("type tag with tag", ("source.type", "tag"), ("source.tag", "v1.2.3")),
        Valid("type release with release", ("source.type", "release"), ("source.release", "v2.0.0")),
        Valid("repo name starting with a dot", ("source.repo", "vano2903/.github")),
        Valid("git connector http URL", ("source.connector", "git"), ("source.repo", "http://127.0.0.1:9418/demo/hello.git")),
        Valid("git connector git URL", ("source.connector", "git"), ("source.repo", "git://127.0.0.1/demo/hello")),
        Valid("buildPlan null", ("buildPlan", null)),
        Valid("buildPlan empty object", ("buildPlan", new JsonObject())),
        Valid("builder empty", ("buildPlan.builder", "")),
        Valid("builder null", ("buildPlan.builder", null)),
        Valid("builder docker", ("buildPlan.builder", "docker"), ("buildPlan.dockerfilePath", "docker/Dockerfile.prod")),
        Valid("rootDirectory empty", ("buildPlan.rootDirectory", "")),
        Valid("rootDirectory dot-slash", ("buildPlan.rootDirectory", "./services//api/")),
        Valid("rootDirectory with a space inside", ("buildPlan.rootDirectory", "my app")),
        Valid("rootDirectory with a colon later", ("buildPlan.rootDirectory", "apps/c:d")),
        Valid("dockerfilePath empty", ("buildPlan.dockerfilePath", "")),
        Valid("nixpacksPath empty", ("buildPlan.nixpacksPath", "")),
        Valid("nixpacksPath toml", ("buildPlan.nixpacksPath", "nixpacks.toml")),
        Valid("nixpacksPath json", ("buildPlan.nixpacksPath", "ci/nixpacks.json")),
        Valid("commands empty", ("buildPlan.startCommand", ""), ("buildPlan.installCommand", ""), ("buildPlan.buildCommand", "")),
        Valid("command of 4096", ("buildPlan.startCommand", new string('x', 4096))),
        Valid("envs null", ("buildPlan.envs", null)),
        Valid("envs empty", ("buildPlan.envs", new JsonArray())),
        Valid("env with empty value", ("buildPlan.envs", new JsonArray(new JsonObject { ["key"] = "EMPTY", ["value"] = "" }))),
        Valid("packages null", ("buildPlan.nixPkgs", null), ("buildPlan.nixLibs", null), ("buildPlan.aptPkgs", null)),
        Valid("packages empty", ("buildPlan.nixPkgs", new JsonArray()), ("buildPlan.nixLibs", new JsonArray()), ("buildPlan.aptPkgs", new JsonArray())),
        Valid("packages with versions", ("buildPlan.aptPkgs", new JsonArray("libssl3=3.0.11-1", "g++")), ("buildPlan.nixPkgs", new JsonArray("python311Packages.pip", "nodejs_20"))),
        Valid("100 packages", ("buildPlan.aptPkgs", new JsonArray([.. Enumerable.Range(0, 100).Select(i => (JsonNode)$"p{i}")]))),

        Invalid("userID empty", ("userID", "")),
        Invalid("userID with space", ("userID", "18 008")),
        Invalid("applicationID starting with a dash", ("applicationID", "-app")),
        Invalid("applicationID of 129", ("applicationID", "a" + new string('1', 128))),
        Invalid("unknown connector", ("source.connector", "svn")),
        Invalid("unknown type", ("source.type", "branch")),
        Invalid("repo dot-dot", ("source.repo", "vano2903/..")),
        Invalid("repo URL on github", ("source.repo", "https://github.com/vano2903/testing")),
        Invalid("git URL with credentials", ("source.connector", "git"), ("source.repo", "https://user:pw@127.0.0.1/app.git")),
        Invalid("git file URL", ("source.connector", "git"), ("source.repo", "file:///etc")),
        Invalid("branch with dot-dot", ("source.branch", "main/../x")),
        Invalid("branch like an option", ("source.branch", "-x")),
        Invalid("branch with space", ("source.branch", "my branch")),
        Invalid("tag ending in .lock", ("source.type", "tag"), ("source.tag", "v1.lock")),
        Invalid("commit not hex", ("source.type", "commit"), ("source.commit", "xyz123")),
        Invalid("commit too short", ("source.type", "commit"), ("source.commit", "3f2")),
        Invalid("type tag without tag", ("source.type", "tag")),
        Invalid("type release without release", ("source.type", "release")),
        Invalid("type release on git", ("source.connector", "git"), ("source.repo", "http://127.0.0.1:9418/demo/hello.git"), ("source.type", "release"), ("source.release", "v1")),
        Invalid("builder unknown", ("buildPlan.builder", "kaniko")),
        Invalid("rootDirectory drive letter", ("buildPlan.rootDirectory", "C:app")),
        Invalid("rootDirectory absolute", ("buildPlan.rootDirectory", "/etc")),
        Invalid("rootDirectory dot-dot", ("buildPlan.rootDirectory", "app/../../etc")),
        Invalid("rootDirectory backslash", ("buildPlan.rootDirectory", "app\\x")),
        Invalid("rootDirectory newline", ("buildPlan.rootDirectory", "app\nx")),
        Invalid("rootDirectory trailing space", ("buildPlan.rootDirectory", "app ")),
        Invalid("rootDirectory of 256", ("buildPlan.rootDirectory", new string('a', 256))),
        Invalid("dockerfilePath dot-slash", ("buildPlan.dockerfilePath", "./")),
        Invalid("dockerfilePath directory", ("buildPlan.dockerfilePath", "docker/")),
        Invalid("dockerfilePath outside", ("buildPlan.dockerfilePath", "../Dockerfile")),
        Invalid("nixpacksPath yaml", ("buildPlan.nixpacksPath", "nixpacks.yaml")),
        Invalid("nixpacksPath without extension", ("buildPlan.nixpacksPath", "nixpacks")),
        Invalid("command of 4097", ("buildPlan.startCommand", new string('x', 4097))),
        Invalid("command with NUL", ("buildPlan.buildCommand", "make\0")),
        Invalid("env name starting with a digit", ("buildPlan.envs", new JsonArray(new JsonObject { ["key"] = "1BAD", ["value"] = "x" }))),
        Invalid("env name with a dash", ("buildPlan.envs", new JsonArray(new JsonObject { ["key"] = "A-B", ["value"] = "x" }))),
        Invalid("env name empty", ("buildPlan.envs", new JsonArray(new JsonObject { ["key"] = "", ["value"] = "x" }))),
        Invalid("env value too long", ("buildPlan.envs", new JsonArray(new JsonObject { ["key"] = "A", ["value"] = new string('v', 32769) }))),
        Invalid("101 envs", ("buildPlan.envs", new JsonArray([.. Enumerable.Range(0, 101).Select(i => (JsonNode)new JsonObject { ["key"] = $"K{i}", ["value"] = "v" })]))),
        Invalid("aptPkgs like an option", ("buildPlan.aptPkgs", new JsonArray("-x"))),
        Invalid("nixPkgs with a space", ("buildPlan.nixPkgs", new JsonArray("two words"))),
        Invalid("nixLibs with null", ("buildPlan.nixLibs", new JsonArray((JsonNode?)null))),
        Invalid("101 packages", ("buildPlan.aptPkgs", new JsonArray([.. Enumerable.Range(0, 101).Select(i => (JsonNode)$"p{i}")]))),
    }.ToDictionary(c => c.Label);

    public static TheoryData<string> Labels => [.. All.Keys];

    public static IEnumerable<RuleCase> Cases => All.Values;

    public static RuleCase Get(string label) => All[label];

    /// <summary>The spec the bridge makes of the nested sample: the base every spec case starts from.</summary>
    public static JsonObject BaseSpec()
    {
        var request = new BuildRequestParser(1 << 20).Parse(RequestSamples.Bytes(RequestSamples.Nested())).Request!;
        var build = ImageBuildFactory.NewImageBuild(request, "rules", "ns", null);
        return JsonNode.Parse(KubernetesJson.Serialize(build.Spec))!.AsObject();
    }

    public static ImageBuildSpec Spec(RuleCase rule) => KubernetesJson.Deserialize<ImageBuildSpec>(SpecJson(rule).ToJsonString());

    public static JsonObject SpecJson(RuleCase rule)
    {
        var spec = BaseSpec();
        foreach (var (path, value) in rule.Sets)
        {
            Set(spec, path.Split('.'), value);
        }
        return spec;
    }

    /// <summary>The nested form: source fields in <c>pullInfo</c>, applicationID and buildPlan at the top.</summary>
    public static string Nested(RuleCase rule)
    {
        var request = RequestSamples.NestedObject();
        foreach (var (path, value) in rule.Sets)
        {
            var parts = path.Split('.');
            var target = parts[0] switch
            {
                "source" or "userID" => ["pullInfo", .. parts[0] == "source" ? parts[1..] : parts],
                _ => parts,
            };
            Set(request, target, value);
        }
        return request.ToJsonString();
    }

    /// <summary>The documented flat form (which the bridge also reads a buildPlan from).</summary>
    public static string Flat(RuleCase rule)
    {
        var request = RequestSamples.FlatObject();
        foreach (var (path, value) in rule.Sets)
        {
            var parts = path.Split('.');
            Set(request, parts[0] == "source" ? parts[1..] : parts, value);
        }
        return request.ToJsonString();
    }

    private static void Set(JsonObject target, string[] path, JsonNode? value)
    {
        for (var i = 0; i < path.Length - 1; i++)
        {
            if (target[path[i]] is not JsonObject next)
            {
                next = [];
                target[path[i]] = next;
            }
            target = next;
        }
        // Each case gets its own copy: a JsonNode has one parent.
        target[path[^1]] = value?.DeepClone();
    }

    private static RuleCase Valid(string label, params (string Path, JsonNode? Value)[] sets) => new(label, true, sets);

    private static RuleCase Invalid(string label, params (string Path, JsonNode? Value)[] sets) => new(label, false, sets);
}

/// <summary>One row of <see cref="RuleCases"/>.</summary>
public sealed record RuleCase(string Label, bool IsValid, (string Path, JsonNode? Value)[] Sets);
