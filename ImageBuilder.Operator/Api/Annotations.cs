namespace ImageBuilder.Operator.Api;

/// <summary>Annotations and labels the operator reads or writes.</summary>
public static class Annotations
{
    /// <summary>Set by the retry listener when the fail queue hands an attempt back; value: the attempt number.</summary>
    public const string RetryReleased = ImageBuild.Group + "/retry-released";

    /// <summary>
    /// Set by a person or the platform to cancel a build that has not finished: phase Cancelled, its Job and token
    /// Secret deleted, nobody notified. The value is free text, the reason, shown in the condition and the Event.
    /// </summary>
    public const string Cancel = ImageBuild.Group + "/cancel";

    /// <summary>
    /// When the request was received, which defines request order (<see cref="RequestOrder"/>): stamped by the queue
    /// bridge with 100 ns resolution, strictly increasing per bridge. A <c>kubectl apply</c>d ImageBuild may set it;
    /// without it the creationTimestamp (1 s resolution) stands in.
    /// </summary>
    public const string RequestedAt = ImageBuild.Group + "/requested-at";

    /// <summary>
    /// Set on an older, unfinished ImageBuild by the reconcile of a newer one that supersedes it (value: its namespace/name):
    /// the annotation change brings the older build's own reconcile, which then ends it as Superseded.
    /// </summary>
    public const string SupersededBy = ImageBuild.Group + "/superseded-by";

    /// <summary>Label on Jobs and Secrets: the owning ImageBuild's name, through <see cref="LabelValue"/>.</summary>
    public const string BuildLabel = ImageBuild.Group + "/imagebuild";

    /// <summary>Label on Jobs: the attempt number.</summary>
    public const string AttemptLabel = ImageBuild.Group + "/attempt";

    /// <summary>Label on objects the operator created, for list selectors and cleanup.</summary>
    public const string ManagedByLabel = "app.kubernetes.io/managed-by";
    public const string ManagedByValue = "image-builder";

    /// <summary>
    /// An object name as a label value: the name when it fits the 63-character limit of label
    /// values, else a prefix and a hash of the whole name (object names may be 253 long).
    /// </summary>
    public static string LabelValue(string name) => ShortName(name, "");

    /// <summary>
    /// <paramref name="name"/> + <paramref name="suffix"/> in at most 63 characters: as is when it fits,
    /// else a prefix of the name, a hash of the whole name, then the suffix. Stable for the same input.
    /// </summary>
    public static string ShortName(string name, string suffix)
    {
        const int max = 63;
        if (name.Length + suffix.Length <= max)
        {
            return name + suffix;
        }
        var hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(name)))[..8];
        return $"{name[..(max - suffix.Length - 9)].TrimEnd('-', '.', '_')}-{hash}{suffix}";
    }
}
