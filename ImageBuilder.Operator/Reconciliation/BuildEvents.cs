using System.Globalization;
using ImageBuilder.Operator.Api;
using ImageBuilder.Operator.Controllers.Client;
using k8s.Models;

namespace ImageBuilder.Operator.Reconciliation;

/// <summary>Records Kubernetes Events on an ImageBuild for its state changes (kubectl describe ib shows them).</summary>
public sealed class BuildEvents(IObjectCreator<Corev1Event> creator, TimeProvider time, ILogger<BuildEvents> logger)
{
    public const string Component = "image-builder";

    /// <summary>
    /// Creates the Events at once rather than one after another: they come after the status write, on the reconcile's
    /// path, and each is an apiserver round trip that nothing else waits for (a settling build has two or three). Each is
    /// stamped, named and started in the given order before the first one is awaited.
    /// </summary>
    public Task RecordAsync(ImageBuild build, IEnumerable<(string Type, string Reason, string Message)> events, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(events);
        return Task.WhenAll(events.Select(e => RecordOneAsync(build, e.Type, e.Reason, e.Message, cancellationToken)).ToList());
    }

    private async Task RecordOneAsync(ImageBuild build, string type, string reason, string message, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var item = new Corev1Event
        {
            Metadata = new V1ObjectMeta
            {
                Name = string.Create(CultureInfo.InvariantCulture, $"{build.Metadata.Name}.{now.Ticks:x}{Random.Shared.Next(0x1000):x3}"),
                NamespaceProperty = build.Metadata.NamespaceProperty,
            },
            InvolvedObject = new V1ObjectReference
            {
                ApiVersion = build.ApiVersion,
                Kind = build.Kind,
                Name = build.Metadata.Name,
                NamespaceProperty = build.Metadata.NamespaceProperty,
                Uid = build.Metadata.Uid,
                ResourceVersion = build.Metadata.ResourceVersion,
            },
            Type = type,
            Reason = reason,
            Message = message.Length > 1024 ? message[..1024] : message,
            Source = new V1EventSource { Component = Component },
            ReportingComponent = Component,
            FirstTimestamp = now,
            LastTimestamp = now,
            Count = 1,
        };
        try
        {
            await creator.CreateAsync(build.Metadata.NamespaceProperty, item, cancellationToken);
        }
        catch (k8s.Autorest.HttpOperationException e)
        {
            // Events are best effort: the status already says the same.
            Log.EventFailed(logger, build.Metadata.Name, reason, (int)e.Response.StatusCode);
        }
    }
}
