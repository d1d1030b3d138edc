using System.ComponentModel.DataAnnotations;

namespace ImageBuilder.Operator.Options;

/// <summary>The broker, the queues and the consuming roles (docs/contracts.md, Queues).</summary>
public sealed class RabbitMqOptions
{
    public const string SectionName = "RabbitMq";

    /// <summary>Namespace used when neither <see cref="TargetNamespace"/> nor POD_NAMESPACE is set.</summary>
    public const string DefaultNamespace = "image-builder";

    /// <summary>Off: no broker at all; retries wait on the operator's clock and notifications are only logged.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>amqp(s)://user:password@host:port/vhost. The password is never logged.</summary>
    [Required]
    public Uri Uri { get; set; } = new("amqp://guest:guest@127.0.0.1:5672/");

    [Required]
    public string BuildQueue { get; set; } = "image-builder.build";

    /// <summary>Where delay tiers dead-letter to; the retry listener consumes it.</summary>
    [Required]
    public string FailQueue { get; set; } = "image-builder.fail";

    [Required]
    public string ContainerManagerQueue { get; set; } = "container-manager.images";

    [Required]
    public string KusanaliQueue { get; set; } = "kusanali.notifications";

    public QueueType QueueType { get; set; } = QueueType.Quorum;

    public QueueMismatchPolicy OnQueueMismatch { get; set; } = QueueMismatchPolicy.Fail;

    /// <summary>Unacked deliveries per consumer.</summary>
    [Range(1, 1000)]
    public int Prefetch { get; set; } = 8;

    /// <summary>How long a publish may wait for the broker's confirm.</summary>
    public TimeSpan PublishTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Larger build requests are rejected as a user fault.</summary>
    [Range(1024, 16 * 1024 * 1024)]
    public int MaxMessageBytes { get; set; } = 64 * 1024;

    /// <summary>Confirms in flight before publishing is throttled.</summary>
    [Range(1, 10000)]
    public int MaxOutstandingConfirms { get; set; } = 128;

    /// <summary>First wait before a message is requeued because Kubernetes failed; doubles up to <see cref="MaxRequeueDelay"/>.</summary>
    public TimeSpan RequeueDelay { get; set; } = TimeSpan.FromSeconds(2);

    public TimeSpan MaxRequeueDelay { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Longest wait between attempts to reach the broker at start-up.</summary>
    public TimeSpan MaxConnectDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Where the bridge creates ImageBuilds; empty means POD_NAMESPACE, else <see cref="DefaultNamespace"/>.</summary>
    public string? TargetNamespace { get; set; }

    public ConsumerRoleOptions Bridge { get; set; } = new();

    public ConsumerRoleOptions RetryListener { get; set; } = new();

    /// <summary>The namespace the bridge writes to, after the fallbacks.</summary>
    public string ResolveTargetNamespace() =>
        !string.IsNullOrWhiteSpace(TargetNamespace) ? TargetNamespace
        : Environment.GetEnvironmentVariable("POD_NAMESPACE") is { Length: > 0 } pod ? pod
        : DefaultNamespace;
}
