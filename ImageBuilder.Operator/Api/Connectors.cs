namespace ImageBuilder.Operator.Api;

/// <summary>Values of <see cref="SourceSpec.Connector"/>.</summary>
public static class Connectors
{
    public const string GitHub = "github";
    public const string Git = "git";
}
