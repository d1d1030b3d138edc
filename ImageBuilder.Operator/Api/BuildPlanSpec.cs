using System.Text.Json.Serialization;

namespace ImageBuilder.Operator.Api;

/// <summary>The newer senders' build plan (docs/contracts.md <c>buildPlan</c>).</summary>
public sealed class BuildPlanSpec
{
    [JsonPropertyName("rootDirectory")]
    public string? RootDirectory { get; set; }

    /// <summary><c>nixpacks</c> (default) or <c>docker</c> (use the repository's Dockerfile).</summary>
    [JsonPropertyName("builder")]
    public string? Builder { get; set; }

    [JsonPropertyName("startCommand")]
    public string? StartCommand { get; set; }

    [JsonPropertyName("dockerfilePath")]
    public string? DockerfilePath { get; set; }

    [JsonPropertyName("nixpacksPath")]
    public string? NixpacksPath { get; set; }

    [JsonPropertyName("envs")]
    public List<BuildEnv>? Envs { get; set; }

    [JsonPropertyName("nixPkgs")]
    public List<string>? NixPkgs { get; set; }

    [JsonPropertyName("nixLibs")]
    public List<string>? NixLibs { get; set; }

    [JsonPropertyName("aptPkgs")]
    public List<string>? AptPkgs { get; set; }

    [JsonPropertyName("installCommand")]
    public string? InstallCommand { get; set; }

    [JsonPropertyName("buildCommand")]
    public string? BuildCommand { get; set; }
}
