using ImageBuilder.Operator.Api;

namespace ImageBuilder.Operator.Notifications;

/// <summary>Delivers terminal BuildResponses. Returns only once the receiver side confirmed (publisher confirm).</summary>
public interface IBuildNotifier
{
    /// <summary>Sends a success to the container manager or a failure to Kusanali, by <see cref="BuildResponse.Status"/>.</summary>
    /// <param name="response">The message.</param>
    /// <param name="messageId">Stable id (ImageBuild uid + attempt): re-sends after a crash carry the same id.</param>
    /// <param name="cancellationToken">Also the publish timeout.</param>
    /// <returns>The queue the message was confirmed on.</returns>
    Task<string> NotifyAsync(BuildResponse response, string messageId, CancellationToken cancellationToken);
}
