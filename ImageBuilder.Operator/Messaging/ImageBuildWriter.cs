using System.Net;
using System.Text.Json;
using ImageBuilder.Operator.Api;
using ImageBuilder.Operator.Requests;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace ImageBuilder.Operator.Messaging;

/// <summary>
/// Writes a build request to the apiserver in two calls: the ImageBuild, then its token Secret with
/// the owner reference already set (the new ImageBuild's uid is known by then), so the Secret goes
/// with the build and never exists without an owner. A message redelivered after a crash between the
/// two finds the ImageBuild there (409), reads it once and creates the missing Secret; the Secret's
/// 409 means it is already there. The reconciler tolerates the moment between the two writes
/// (<see cref="Reconciliation.Steps.ResolveSourceStep"/>). Every step tolerates "already there",
/// so a redelivered message converges on the same objects.
/// </summary>
public sealed class ImageBuildWriter(IKubernetes kubernetes)
{
    /// <summary>Identical requests after this many finished builds are refused rather than probed further.</summary>
    public const int MaxGenerations = 64;

    public async Task<BuildWriteResult> WriteAsync(BuildRequest request, string? messageId, string @namespace, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        try
        {
            return await WriteFirstFreeAsync(request, messageId, @namespace, cancellationToken);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.UnprocessableEntity)
        {
            return new BuildWriteResult(BuildWriteOutcome.Rejected, "", RejectionMessage(StatusDetails(e), StatusMessage(e)));
        }
        catch (HttpOperationException e)
        {
            return new BuildWriteResult(BuildWriteOutcome.Unavailable, "", $"apiserver answered {(int)e.Response.StatusCode}: {Text.Quote(StatusMessage(e))}");
        }
        catch (HttpRequestException e)
        {
            return new BuildWriteResult(BuildWriteOutcome.Unavailable, "", "apiserver unreachable: " + e.Message);
        }
        catch (TaskCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            return new BuildWriteResult(BuildWriteOutcome.Unavailable, "", "apiserver timed out: " + e.Message);
        }
    }

    /// <summary>
    /// Without a message id a redelivery and a resend look the same. A build that has not finished
    /// is taken as this request (a redelivery or a double submit); once it finished, an identical
    /// request is a new one (say, to build a branch's newer commit) and gets the next generation.
    /// The create is tried first and the existing object read only on a conflict: a new request,
    /// the common case, costs two calls (the ImageBuild and its Secret) like a bare create loop.
    /// </summary>
    private async Task<BuildWriteResult> WriteFirstFreeAsync(BuildRequest request, string? messageId, string @namespace, CancellationToken cancellationToken)
    {
        var generation = 0;
        while (generation < MaxGenerations)
        {
            var name = BuildNaming.NameFor(request, messageId, generation);
            ImageBuild created;
            try
            {
                created = await kubernetes.CustomObjects.CreateNamespacedCustomObjectAsync<ImageBuild>(
                    ImageBuildFactory.NewImageBuild(request, name, @namespace, messageId),
                    ImageBuild.Group, ImageBuild.Version, @namespace, ImageBuild.Plural, cancellationToken: cancellationToken);
            }
            catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Conflict)
            {
                // A redelivery, a double submit, another replica's bridge, or an earlier generation.
                var existing = await GetAsync(@namespace, name, cancellationToken);
                if (existing is null)
                {
                    // Deleted between the two calls: the name is free again; try it once more.
                    continue;
                }
                if (messageId is not null || !IsFinished(existing))
                {
                    if (!IsFinished(existing))
                    {
                        // The earlier delivery may have stopped before its Secret; a finished build's
                        // Secret was deleted on purpose and is not brought back.
                        await CreateTokenSecretAsync(request, existing, cancellationToken);
                    }
                    return new BuildWriteResult(BuildWriteOutcome.AlreadyExists, name);
                }
                generation++;
                continue;
            }
            await CreateTokenSecretAsync(request, created, cancellationToken);
            return new BuildWriteResult(BuildWriteOutcome.Created, name);
        }
        return new BuildWriteResult(BuildWriteOutcome.Rejected, "", $"This exact request was already built {MaxGenerations} times; delete old ImageBuilds to build it again.");
    }

    private async Task CreateTokenSecretAsync(BuildRequest request, ImageBuild owner, CancellationToken cancellationToken)
    {
        var secret = ImageBuildFactory.NewTokenSecret(owner.Metadata.Name, owner.Metadata.NamespaceProperty, request.Token);
        secret.Metadata.OwnerReferences = [ImageBuildFactory.OwnerReference(owner)];
        try
        {
            await kubernetes.CoreV1.CreateNamespacedSecretAsync(secret, owner.Metadata.NamespaceProperty, cancellationToken: cancellationToken);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Conflict)
        {
            // Left by an earlier delivery of this request; same name, same content, same owner.
        }
    }

    private async Task<ImageBuild?> GetAsync(string @namespace, string name, CancellationToken cancellationToken)
    {
        try
        {
            return await kubernetes.CustomObjects.GetNamespacedCustomObjectAsync<ImageBuild>(
                ImageBuild.Group, ImageBuild.Version, @namespace, ImageBuild.Plural, name, cancellationToken);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound && !IsMissingResource(e))
        {
            return null;
        }
    }

    /// <summary>
    /// The apiserver's refusal as one message that names every field it refused before saying why,
    /// so a cut can never fall before the field: the status message starts with the object's kind
    /// and name, which is what used to fill the space (<c>… is invalid: spec.buildPl…</c>).
    /// </summary>
    internal static string RejectionMessage(V1Status? status, string fallback)
    {
        const int MaxCauses = 8;
        const int MaxCause = 240;
        var causes = status?.Details?.Causes?.Where(c => !string.IsNullOrEmpty(c.Field) || !string.IsNullOrEmpty(c.Message)).ToList() ?? [];
        if (causes.Count == 0)
        {
            return "Kubernetes refused the build: " + Text.Quote(fallback, MaxCauses * MaxCause);
        }
        var named = causes.Take(MaxCauses).Select(c =>
        {
            // The message repeats the field ("spec.x: Invalid value: ...") on some versions; say it once.
            var message = c.Message ?? c.Reason ?? "";
            var field = c.Field ?? "";
            if (field.Length > 0 && message.StartsWith(field + ": ", StringComparison.Ordinal))
            {
                message = message[(field.Length + 2)..];
            }
            return field.Length == 0 ? Text.Quote(message, MaxCause) : Text.Quote(field, MaxCause) + ": " + Text.Quote(message, MaxCause);
        });
        var more = causes.Count > MaxCauses ? $"; and {causes.Count - MaxCauses} more" : "";
        return "Kubernetes refused the build: " + string.Join("; ", named) + more + ".";
    }

    private static bool IsFinished(ImageBuild build) => build.Status?.Phase is Phases.Succeeded or Phases.Failed;

    /// <summary>A 404 for the resource type itself (CRD not installed) must not read as "no such build".</summary>
    private static bool IsMissingResource(HttpOperationException e) =>
        StatusDetails(e) is { } status && string.IsNullOrEmpty(status.Details?.Name);

    private static string StatusMessage(HttpOperationException e) => StatusDetails(e)?.Message ?? e.Response.ReasonPhrase ?? e.Message;

    private static V1Status? StatusDetails(HttpOperationException e)
    {
        try
        {
            return string.IsNullOrEmpty(e.Response.Content) ? null : KubernetesJson.Deserialize<V1Status>(e.Response.Content);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
