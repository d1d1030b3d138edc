using ImageBuilder.Operator.Builds;
using ImageBuilder.Operator.Options;
using k8s;
using k8s.Models;

namespace ImageBuilder.Operator.Tests.Builds;

/// <summary>
/// The Jobs the buildkit strategy writes, compared with testassets/&lt;case&gt;/job.yaml: the review surface of
/// fields the development cluster's Kubernetes 1.20 cannot prove (it drops fields it does not know).
/// Run with UPDATE_GOLDEN=1 to rewrite them after an intended change, then read the diff.
/// </summary>
public sealed class BuildJobGoldenTests
{
    public static TheoryData<string> Cases() => new(GoldenCases.Keys);

    private static readonly Dictionary<string, Func<V1Job>> GoldenCases = new(StringComparer.Ordinal)
    {
        ["buildkit-nixpacks"] = () => Strategy().CreateJob(BuildSamples.Request(BuildSamples.FullNixpacksPlan())),
        ["buildkit-dockerfile-clone"] = () => Strategy().CreateJob(BuildSamples.Request(BuildSamples.DockerfilePlan(), archive: false, token: false)),
        ["buildkit-auto-dev"] = () => Strategy(BuildSamples.DevOptions()).CreateJob(BuildSamples.Request(new() { Envs = [new() { Key = "GREETING", Value = "hi" }, new() { Key = "EMPTY", Value = "" }] })),
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void CreateJob_Case_MatchesGoldenFile(string name)
    {
        var actual = KubernetesYaml.Serialize(GoldenCases[name]());
        var path = Path.Combine(SourceDirectory(), "testassets", name, "job.yaml");
        if (Environment.GetEnvironmentVariable("UPDATE_GOLDEN") == "1")
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, actual);
        }
        Assert.True(File.Exists(path), $"{path} is missing: run the tests once with UPDATE_GOLDEN=1.");
        Assert.Equal(File.ReadAllText(path).ReplaceLineEndings(), actual.ReplaceLineEndings());
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void GoldenFile_Case_RoundTripsAsJob(string name)
    {
        var path = Path.Combine(SourceDirectory(), "testassets", name, "job.yaml");
        var job = KubernetesYaml.Deserialize<V1Job>(File.ReadAllText(path));
        Assert.Equal(0, job.Spec.BackoffLimit);
        Assert.Equal("Never", job.Spec.Template.Spec.RestartPolicy);
    }

    internal static IBuildStrategy Strategy(BuildOptions? options = null)
    {
        var wrapped = BuildSamples.Wrap(options ?? BuildSamples.Options());
        return new BuildStrategyProvider([new BuildKitStrategy(wrapped)], wrapped).Current;
    }

    private static string SourceDirectory([System.Runtime.CompilerServices.CallerFilePath] string file = "") => Path.GetDirectoryName(file)!;
}
