namespace ImageBuilder.Operator.Options;

public sealed partial class BuildOptions
{
    /// <summary>Values of <see cref="Strategy"/>.</summary>
    public static class StrategyNames
    {
        /// <summary>Rootless BuildKit and nixpacks: every cluster, the development one included.</summary>
        public const string BuildKit = "buildkit";
    }
}
