using System.Globalization;
using System.Net;
using System.Text.Json;
using ImageBuilder.Operator.Api;
using ImageBuilder.Operator.Controllers.Client;
using ImageBuilder.Operator.RabbitMq;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace ImageBuilder.Operator.Retries;

/// <summary>
/// Consumes the fail queue, where delay tiers dead-letter retries whose wait is over, and marks the
/// ImageBuild with <see cref="Annotations.RetryReleased"/> for the reconciler (which watches it).
/// A release for a build that is gone or was re-created (other uid) is dropped with a log line.
/// </summary>
public sealed class RetryListener(
    RabbitMqConnection connection,
    IKubernetes kubernetes,
    TimeProvider timeProvider,
    ILogger<RetryListener> logger) : QueueConsumerService(connection, timeProvider, logger)
{
    protected override string Queue => Connection.Options.FailQueue;

    protected override async Task<DeliveryOutcome> HandleAsync(Delivery delivery, CancellationToken cancellationToken)
    {
        if (Read(delivery) is not { IsComplete: true } release)
        {
            Log.RetryMessageInvalid(logger, delivery.LogId, "namespace, name, uid and attempt are required");
            return DeliveryOutcome.Ack;
        }
        try
        {
            return await ReleaseAsync(release, cancellationToken);
        }
        catch (Exception e) when (e is HttpOperationException or HttpRequestException)
        {
            LogRequeueing(delivery, e.Message);
            return DeliveryOutcome.Requeue;
        }
    }

    private async Task<DeliveryOutcome> ReleaseAsync(RetryRelease release, CancellationToken cancellationToken)
    {
        if (await new KubernetesCustomObjectClient<ImageBuild>(kubernetes).GetAsync(release.Namespace, release.Name, cancellationToken) is not { } build)
        {
            return Drop(release, "the ImageBuild no longer exists");
        }
        if (build.Metadata.Uid != release.Uid)
        {
            return Drop(release, "the ImageBuild was re-created (uid differs)");
        }
        if (RabbitMqRetryScheduler.ReleasedAttempt(build) >= release.Attempt)
        {
            return Drop(release, "already released");
        }
        // The uid in the patch is a precondition: a build deleted and re-created since the read is not touched.
        var patch = new
        {
            metadata = new
            {
                uid = release.Uid,
                annotations = new Dictionary<string, string> { [Annotations.RetryReleased] = release.Attempt.ToString(CultureInfo.InvariantCulture) },
            },
        };
        try
        {
            await kubernetes.CustomObjects.PatchNamespacedCustomObjectAsync(
                new V1Patch(KubernetesJson.Serialize(patch), V1Patch.PatchType.MergePatch),
                ImageBuild.Group, ImageBuild.Version, release.Namespace, ImageBuild.Plural, release.Name, cancellationToken: cancellationToken);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Conflict)
        {
            return Drop(release, "the ImageBuild was deleted or re-created meanwhile");
        }
        Log.RetryReleased(logger, release.Attempt, release.Namespace, release.Name);
        return DeliveryOutcome.Ack;
    }

    private DeliveryOutcome Drop(RetryRelease release, string reason)
    {
        Log.RetryDropped(logger, release.Attempt, release.Namespace, release.Name, reason);
        return DeliveryOutcome.Ack;
    }

    /// <summary>The JSON body; the headers when the body is unreadable (both carry the same).</summary>
    private static RetryRelease? Read(Delivery delivery)
    {
        try
        {
            if (JsonSerializer.Deserialize<RetryRelease>(delivery.Body) is { IsComplete: true } fromBody)
            {
                return fromBody;
            }
        }
        catch (JsonException)
        {
            // Fall through to the headers.
        }
        return new RetryRelease
        {
            Namespace = delivery.Header(RetryRelease.NamespaceHeader) ?? "",
            Name = delivery.Header(RetryRelease.NameHeader) ?? "",
            Uid = delivery.Header(RetryRelease.UidHeader) ?? "",
            Attempt = int.TryParse(delivery.Header(RetryRelease.AttemptHeader), NumberStyles.None, CultureInfo.InvariantCulture, out var a) ? a : 0,
        };
    }
}
