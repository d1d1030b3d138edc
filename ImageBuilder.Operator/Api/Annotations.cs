namespace ImageBuilder.Operator.Api;

/// <summary>Annotations and labels the operator reads or writes.</summary>
public static class Annotations
{
    /// <summary>Set by the retry listener when the fail queue hands an attempt back; value: the attempt number.</summary>
    public const string RetryReleased = ImageBuild.Group + "/retry-released";

    /// <summary>Label on Jobs and Secrets: the owning ImageBuild's name.</summary>
    public const string BuildLabel = ImageBuild.Group + "/imagebuild";

    /// <summary>Label on Jobs: the attempt number.</summary>
    public const string AttemptLabel = ImageBuild.Group + "/attempt";

    /// <summary>Label on objects the operator created, for list selectors and cleanup.</summary>
    public const string ManagedByLabel = "app.kubernetes.io/managed-by";
    public const string ManagedByValue = "image-builder";
}
