using ImageBuilder.Operator.Builds;
using ImageBuilder.Operator.Options;
using k8s;
using k8s.Models;

namespace ImageBuilder.Operator.Tests.Builds;

/// <summary>
/// The Jobs each strategy writes, compared with testassets/&lt;case&gt;/job.yaml. The production
/// (buildkit) template cannot run on the development cluster, so these files are its review surface.
/// Run with UPDATE_GOLDEN=1 to rewrite them after an intended change, then read the diff.
/// </summary>
public sealed class BuildJobGoldenTests
{
    public static TheoryData<string> Cases() => new(GoldenCases.Keys);

    private static readonly Dictionary<string, Func<V1Job>> GoldenCases = new(StringComparer.Ordinal)
    {
        ["buildkit-nixpacks"] = () => Strategy(BuildOptions.StrategyNames.BuildKit).CreateJob(BuildSamples.Request(BuildSamples.FullNixpacksPlan())),
        ["buildkit-dockerfile-clone"] = () => Strategy(BuildOptions.StrategyNames.BuildKit).CreateJob(BuildSamples.Request(BuildSamples.DockerfilePlan(), archive: false, token: false)),
        ["docker-archive"] = () => Strategy(BuildOptions.StrategyNames.Docker).CreateJob(BuildSamples.Request(new() { Envs = [new() { Key = "GREETING", Value = "hi" }] })),
        ["docker-dockerfile-clone"] = () => Strategy(BuildOptions.StrategyNames.Docker).CreateJob(BuildSamples.Request(BuildSamples.DockerfilePlan(), archive: false)),
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

    internal static IBuildStrategy Strategy(string name)
    {
        var options = BuildSamples.Wrap(BuildSamples.Options(name));
        IBuildStrategy[] all = [new BuildKitStrategy(options), new DockerStrategy(options)];
        return new BuildStrategyProvider(all, options).Current;
    }

    private static string SourceDirectory([System.Runtime.CompilerServices.CallerFilePath] string file = "") => Path.GetDirectoryName(file)!;
}
