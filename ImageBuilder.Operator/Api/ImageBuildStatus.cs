using System.Text.Json.Serialization;
using k8s.Models;

namespace ImageBuilder.Operator.Api;

/// <summary>What the reconciler observed and decided; written once per reconcile, only when it changed.</summary>
public sealed class ImageBuildStatus
{
    [JsonPropertyName("observedGeneration")]
    public long? ObservedGeneration { get; set; }

    /// <summary>A one-word summary for the printer column; see <see cref="Phases"/>.</summary>
    [JsonPropertyName("phase")]
    public string? Phase { get; set; }

    [JsonPropertyName("conditions")]
    public List<V1Condition>? Conditions { get; set; }

    /// <summary>Attempts made after the first one.</summary>
    [JsonPropertyName("retries")]
    public int Retries { get; set; }

    /// <summary>What was asked for, for people: <c>branch main</c>, <c>tag v1</c>, <c>release v2</c>, <c>commit 3f2c9ab</c>.</summary>
    [JsonPropertyName("ref")]
    public string? Ref { get; set; }

    /// <summary>The resolved commit SHA.</summary>
    [JsonPropertyName("commit")]
    public string? Commit { get; set; }

    /// <summary>The image reference, tag included.</summary>
    [JsonPropertyName("image")]
    public string? Image { get; set; }

    /// <summary>The pushed manifest digest (sha256:…).</summary>
    [JsonPropertyName("digest")]
    public string? Digest { get; set; }

    /// <summary>The build Job of the current attempt.</summary>
    [JsonPropertyName("job")]
    public string? Job { get; set; }

    [JsonPropertyName("startTime")]
    public DateTime? StartTime { get; set; }

    [JsonPropertyName("completionTime")]
    public DateTime? CompletionTime { get; set; }

    /// <summary>When the next attempt may start, while <see cref="Phase"/> is <c>Retrying</c>.</summary>
    [JsonPropertyName("nextAttemptTime")]
    public DateTime? NextAttemptTime { get; set; }

    /// <summary>The attempt whose retry was handed to the scheduler, so a crash does not schedule it twice.</summary>
    [JsonPropertyName("scheduledAttempt")]
    public int? ScheduledAttempt { get; set; }

    /// <summary>
    /// Reconciles of the current attempt that threw in a row; reset by a clean reconcile and when the
    /// attempt ends. In status, not in memory, so an operator restart does not reset the bound.
    /// </summary>
    [JsonPropertyName("reconcileErrors")]
    public int? ReconcileErrors { get; set; }

    /// <summary>Since when the build waits for its token Secret (absent while not waiting); the wait is bounded from here.</summary>
    [JsonPropertyName("tokenSecretMissingSince")]
    public DateTime? TokenSecretMissingSince { get; set; }

    /// <summary>While Queued: the place in the queue for a build slot, 1 starts next.</summary>
    [JsonPropertyName("queuePosition")]
    public int? QueuePosition { get; set; }

    /// <summary>When the build began to wait for a build slot.</summary>
    [JsonPropertyName("queuedSince")]
    public DateTime? QueuedSince { get; set; }

    /// <summary>The newer ImageBuild (namespace/name) that superseded this one.</summary>
    [JsonPropertyName("supersededBy")]
    public string? SupersededBy { get; set; }

    [JsonPropertyName("lastFailure")]
    public BuildFailure? LastFailure { get; set; }

    /// <summary>True once the token Secret is deleted and old Jobs pruned after the build ended.</summary>
    [JsonPropertyName("cleanedUp")]
    public bool? CleanedUp { get; set; }

    /// <summary>The terminal notification, recorded only once the broker confirmed it.</summary>
    [JsonPropertyName("notification")]
    public NotificationStatus? Notification { get; set; }
}
