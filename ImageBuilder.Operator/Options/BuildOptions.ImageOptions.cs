using System.ComponentModel.DataAnnotations;

namespace ImageBuilder.Operator.Options;

public sealed partial class BuildOptions
{
    /// <summary>Images of the build Job's containers (section <c>Build:Images</c>).</summary>
    public sealed class ImageOptions
    {
        /// <summary>
        /// Downloads the source: sh, wget and tar, plus git for clone URLs. No default: no published image
        /// is known to fit, so the platform builds one (deploy/images/README.md) and names it here.
        /// </summary>
        [Required]
        public string Fetch { get; set; } = "";

        /// <summary>
        /// Runs <c>nixpacks plan</c> and <c>nixpacks build --out</c>: sh, the nixpacks 1.39.0 CLI and jq. No
        /// default: no published image contains the nixpacks CLI (ghcr.io/railwayapp/nixpacks is the base image
        /// its Dockerfiles start from), so the platform builds one (deploy/images/README.md).
        /// </summary>
        [Required]
        public string Nixpacks { get; set; } = "";

        /// <summary>Rootless BuildKit with <c>buildctl-daemonless.sh</c>, laid out as moby/buildkit's <c>-rootless</c> images.</summary>
        [Required]
        public string BuildKit { get; set; } = "moby/buildkit:v0.18.2-rootless";
    }
}
