namespace ImageBuilder.Operator.Reconciliation;

/// <summary>Condition types of an ImageBuild's status.</summary>
public static class ConditionTypes
{
    /// <summary>True once the image is pushed (or found already pushed); False with the reason otherwise.</summary>
    public const string Ready = "Ready";

    /// <summary>True once the requested ref resolved to a commit the token can read.</summary>
    public const string SourceResolved = "SourceResolved";

    /// <summary>True while a build Job runs.</summary>
    public const string Building = "Building";
}
