namespace ImageBuilder.Operator.Options;

public sealed partial class BuildOptions
{
    /// <summary>
    /// Size limits (Kubernetes quantities) of the build pod's emptyDirs (section <c>Build:Storage</c>): the
    /// kubelet evicts a pod past one, so one build cannot fill its node's disk. They count towards the pod's
    /// ephemeral storage: request it in <see cref="ResourceOptions"/> (<c>ephemeral-storage</c>).
    /// </summary>
    public sealed class StorageOptions
    {
        /// <summary>The source, the logs and nixpacks' output.</summary>
        public string WorkspaceSizeLimit { get; set; } = "2Gi";

        /// <summary>BuildKit's state (<c>--root</c>): base images, layers, snapshots of one build.</summary>
        public string BuildKitSizeLimit { get; set; } = "20Gi";

        /// <summary>BuildKit's runtime folder (<c>XDG_RUNTIME_DIR</c>: its socket, rootlesskit's state).</summary>
        public string RuntimeSizeLimit { get; set; } = "64Mi";
    }
}
