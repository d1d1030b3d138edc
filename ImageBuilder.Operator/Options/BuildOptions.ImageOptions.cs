using System.ComponentModel.DataAnnotations;

namespace ImageBuilder.Operator.Options;

public sealed partial class BuildOptions
{
    /// <summary>Images of the build Job's containers (section <c>Build:Images</c>).</summary>
    public sealed class ImageOptions
    {
        /// <summary>Downloads the source: needs sh, wget and tar, plus git for clone URLs.</summary>
        [Required]
        public string Fetch { get; set; } = "alpine/git:2.47.2";

        /// <summary>Runs <c>nixpacks build --out</c>: needs sh and the nixpacks binary.</summary>
        [Required]
        public string Nixpacks { get; set; } = "ghcr.io/railwayapp/nixpacks:1.39.0";

        /// <summary>Rootless BuildKit with <c>buildctl-daemonless.sh</c>.</summary>
        [Required]
        public string BuildKit { get; set; } = "moby/buildkit:v0.18.2-rootless";

        /// <summary>sh plus the docker CLI, for the <c>docker</c> strategy (scripts/images.sh makes one).</summary>
        [Required]
        public string DockerBuilder { get; set; } = "imagebuilder/docker-builder:dev";
    }
}
