namespace ImageBuilder.Operator.Options;

public sealed partial class BuildOptions
{
    /// <summary>
    /// Kubernetes quantities (<c>cpu</c>, <c>memory</c>, <c>ephemeral-storage</c>, …) of the build container. The
    /// ephemeral-storage request lets the scheduler place a build where its emptyDirs fit (see <see cref="StorageOptions"/>).
    /// </summary>
    public sealed class ResourceOptions
    {
        public Dictionary<string, string> Requests { get; set; } = new(StringComparer.Ordinal)
        {
            ["cpu"] = "250m",
            ["memory"] = "512Mi",
            ["ephemeral-storage"] = "4Gi",
        };

        public Dictionary<string, string> Limits { get; set; } = new(StringComparer.Ordinal)
        {
            ["memory"] = "4Gi",
        };
    }
}
