using System.Globalization;
using System.Text.Json;
using ImageBuilder.Operator.Api;
using ImageBuilder.Operator.RabbitMq;

namespace ImageBuilder.Operator.Notifications;

/// <summary>
/// Sends terminal BuildResponses: a success to the container manager, a failure to Kusanali.
/// Returns only after the broker's confirm; the message id is the caller's stable id so receivers
/// can drop the duplicate a re-send after a crash produces.
/// </summary>
public sealed class RabbitMqBuildNotifier(RabbitMqPublisher publisher, RabbitMqConnection connection) : IBuildNotifier
{
    public async Task<string> NotifyAsync(BuildResponse response, string messageId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(response);
        ArgumentException.ThrowIfNullOrEmpty(messageId);
        var queue = response.Status == BuildResponse.StatusSuccess
            ? connection.Options.ContainerManagerQueue
            : connection.Options.KusanaliQueue;
        var properties = publisher.NewProperties(messageId, nameof(BuildResponse));
        var headers = properties.Headers!;
        headers["x-status"] = response.Status;
        headers["x-attempts"] = response.Attempts.ToString(CultureInfo.InvariantCulture);
        if (response.Fault.Length > 0)
        {
            headers["x-fault"] = response.Fault;
        }
        if (response.ImageBuild.Length > 0)
        {
            headers["x-imagebuild"] = response.ImageBuild;
            properties.CorrelationId = response.ImageBuild;
        }
        await publisher.PublishAsync(queue, JsonSerializer.SerializeToUtf8Bytes(response), properties, cancellationToken);
        return queue;
    }
}
