namespace ImageBuilder.Operator.Options;

public sealed partial class BuildOptions
{
    /// <summary>Kubernetes quantities (<c>cpu</c>, <c>memory</c>, …) of the build container.</summary>
    public sealed class ResourceOptions
    {
        public Dictionary<string, string> Requests { get; set; } = new(StringComparer.Ordinal)
        {
            ["cpu"] = "250m",
            ["memory"] = "512Mi",
        };

        public Dictionary<string, string> Limits { get; set; } = new(StringComparer.Ordinal)
        {
            ["memory"] = "4Gi",
        };
    }
}
