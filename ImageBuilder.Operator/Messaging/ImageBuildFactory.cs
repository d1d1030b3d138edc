using System.Text;
using ImageBuilder.Operator.Api;
using k8s.Models;

namespace ImageBuilder.Operator.Messaging;

/// <summary>The objects a build request becomes: a token Secret and an ImageBuild referring to it.</summary>
public static class ImageBuildFactory
{
    /// <summary>Annotation: the AMQP message id the ImageBuild came from, when the sender set one.</summary>
    public const string MessageIdAnnotation = ImageBuild.Group + "/message-id";

    /// <summary>Annotation: how the ImageBuild was requested.</summary>
    public const string RequestedByAnnotation = ImageBuild.Group + "/requested-by";

    /// <summary>The <see cref="RequestedByAnnotation"/> value of builds the queue bridge made.</summary>
    public const string RequestedByBridge = "rabbitmq";

    public const string TokenKey = "token";

    public static V1Secret NewTokenSecret(string buildName, string @namespace, string token) => new()
    {
        ApiVersion = "v1",
        Kind = "Secret",
        Metadata = new V1ObjectMeta
        {
            Name = BuildNaming.TokenSecretName(buildName),
            NamespaceProperty = @namespace,
            Labels = Labels(buildName),
        },
        Type = "Opaque",
        Data = new Dictionary<string, byte[]> { [TokenKey] = Encoding.UTF8.GetBytes(token) },
    };

    /// <summary>The ImageBuild of a request; <c>requestedAt</c>, when the bridge received it, is its place in request order (<see cref="Annotations.RequestedAt"/>).</summary>
    public static ImageBuild NewImageBuild(BuildRequest request, string name, string @namespace, string? messageId, DateTimeOffset? requestedAt = null)
    {
        ArgumentNullException.ThrowIfNull(request);
        var annotations = new Dictionary<string, string> { [RequestedByAnnotation] = RequestedByBridge };
        if (requestedAt is { } at)
        {
            annotations[Annotations.RequestedAt] = RequestOrder.Stamp(at);
        }
        if (messageId is not null)
        {
            annotations[MessageIdAnnotation] = messageId;
        }
        return new ImageBuild
        {
            Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = @namespace, Labels = Labels(null), Annotations = annotations },
            Spec = new ImageBuildSpec
            {
                ApplicationId = request.ApplicationId,
                UserId = request.UserId,
                BuildPlan = request.BuildPlan,
                Source = new SourceSpec
                {
                    Connector = request.Connector,
                    Repo = request.Repo,
                    Type = request.Type,
                    Branch = request.Branch,
                    Tag = request.Tag,
                    Release = request.Release,
                    Commit = request.Commit,
                    TokenSecretRef = new SecretKeyRef { Name = BuildNaming.TokenSecretName(name), Key = TokenKey },
                },
            },
        };
    }

    /// <summary>Makes the Secret go when its ImageBuild is deleted.</summary>
    public static V1OwnerReference OwnerReference(ImageBuild owner)
    {
        ArgumentNullException.ThrowIfNull(owner);
        return new V1OwnerReference
        {
            ApiVersion = ImageBuild.ApiGroupVersion,
            Kind = ImageBuild.KindName,
            Name = owner.Metadata.Name,
            Uid = owner.Metadata.Uid,
            Controller = true,
        };
    }

    private static Dictionary<string, string> Labels(string? buildName)
    {
        var labels = new Dictionary<string, string> { [Annotations.ManagedByLabel] = Annotations.ManagedByValue };
        if (buildName is not null)
        {
            labels[Annotations.BuildLabel] = Annotations.LabelValue(buildName);
        }
        return labels;
    }
}
