namespace ImageBuilder.Operator.Options;

public sealed partial class BuildOptions
{
    /// <summary>Values of <see cref="Strategy"/>.</summary>
    public static class StrategyNames
    {
        /// <summary>Rootless BuildKit and nixpacks: production clusters.</summary>
        public const string BuildKit = "buildkit";

        /// <summary>The node's Docker engine through its socket: the development cluster.</summary>
        public const string Docker = "docker";
    }
}
