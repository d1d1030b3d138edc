using System.Net;
using System.Text.Json;
using ImageBuilder.Operator.Api;
using ImageBuilder.Operator.Reconciliation;
using ImageBuilder.Operator.Requests;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace ImageBuilder.Operator.Messaging;

/// <summary>
/// Writes a build request to the apiserver: the token Secret first (so the ImageBuild never points
/// at nothing), then the ImageBuild, then the Secret's owner reference (so it goes with the build).
/// Every step tolerates "already there", so a redelivered message converges on the same objects. A name that retention
/// deleted counts as a finished build of that name (<see cref="RetiredBuilds"/>), so deleting it changes nothing here.
/// </summary>
public sealed class ImageBuildWriter(IKubernetes kubernetes, RequestClock? clock = null, RetiredBuilds? retired = null)
{
    private static readonly RequestClock DefaultClock = new(TimeProvider.System);

    /// <summary>Identical requests after this many finished builds are refused rather than probed further.</summary>
    public const int MaxGenerations = 64;

    /// <param name="request">The validated request.</param>
    /// <param name="messageId">The sender's AMQP message id, when it set one.</param>
    /// <param name="redelivered">The broker's redelivered flag: this message may have been handled before.</param>
    /// <param name="namespace">Where the ImageBuild goes.</param>
    /// <param name="cancellationToken">Stops the write.</param>
    public async Task<BuildWriteResult> WriteAsync(BuildRequest request, string? messageId, bool redelivered, string @namespace, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        try
        {
            // Stamped on receipt, before any call: request order is the order the bridge took requests in.
            var requestedAt = (clock ?? DefaultClock).Next();
            return await WriteFirstFreeAsync(request, messageId, redelivered, @namespace, requestedAt, cancellationToken);
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
    /// Without a message id, identical requests share their names, and generations tell them apart. Only a message the
    /// broker flags as redelivered can be one handled before: it is taken as a build that has not finished (its first
    /// delivery made it). A first delivery is a new request, even while an identical one builds: the backend sends the
    /// same body for every push of a branch, so that is a newer commit to build, and it supersedes the older build
    /// (issue 12). It takes the next free generation, as an identical request after a finished build always did.
    /// </summary>
    private async Task<BuildWriteResult> WriteFirstFreeAsync(BuildRequest request, string? messageId, bool redelivered, string @namespace, DateTimeOffset requestedAt, CancellationToken cancellationToken)
    {
        IReadOnlySet<string>? retiredNames = null;
        for (var generation = 0; generation < MaxGenerations; generation++)
        {
            var name = BuildNaming.NameFor(request, messageId, generation);
            var existing = await kubernetes.GetImageBuildOrNullAsync(@namespace, name, cancellationToken);
            if (existing is null && retired is { Enabled: true })
            {
                // Read live, once per message: the name was deleted a moment ago or never existed, and only this tells.
                retiredNames ??= await retired.ReadAsync(@namespace, cancellationToken);
                if (retiredNames.Contains(name))
                {
                    // A finished build retention deleted: with a message id it is this request, already built; without one,
                    // an identical request after a finished build is a new one and takes the next generation, as before.
                    if (messageId is not null)
                    {
                        return new BuildWriteResult(BuildWriteOutcome.AlreadyExists, name);
                    }
                    continue;
                }
            }
            if (existing is not null && (messageId is not null || (redelivered && !IsFinished(existing))))
            {
                await OwnSecretAsync(existing, cancellationToken);
                return new BuildWriteResult(BuildWriteOutcome.AlreadyExists, name);
            }
            if (existing is null)
            {
                return await CreateAsync(request, messageId, name, @namespace, requestedAt, cancellationToken);
            }
        }
        return new BuildWriteResult(BuildWriteOutcome.Rejected, "", $"This exact request was already built {MaxGenerations} times; delete old ImageBuilds to build it again.");
    }

    private async Task<BuildWriteResult> CreateAsync(BuildRequest request, string? messageId, string name, string @namespace, DateTimeOffset requestedAt, CancellationToken cancellationToken)
    {
        await CreateIgnoringConflictAsync(() => kubernetes.CoreV1.CreateNamespacedSecretAsync(
            ImageBuildFactory.NewTokenSecret(name, @namespace, request.Token), @namespace, cancellationToken: cancellationToken));
        ImageBuild created;
        try
        {
            created = await kubernetes.CustomObjects.CreateNamespacedCustomObjectAsync<ImageBuild>(
                ImageBuildFactory.NewImageBuild(request, name, @namespace, messageId, requestedAt),
                ImageBuild.Group, ImageBuild.Version, @namespace, ImageBuild.Plural, cancellationToken: cancellationToken);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Conflict)
        {
            // Another replica's bridge got the same message first.
            var existing = await kubernetes.GetImageBuildOrNullAsync(@namespace, name, cancellationToken);
            if (existing is not null)
            {
                await OwnSecretAsync(existing, cancellationToken);
            }
            return new BuildWriteResult(BuildWriteOutcome.AlreadyExists, name);
        }
        await OwnSecretAsync(created, cancellationToken);
        return new BuildWriteResult(BuildWriteOutcome.Created, name);
    }

    private async Task OwnSecretAsync(ImageBuild owner, CancellationToken cancellationToken)
    {
        var patch = new { metadata = new { ownerReferences = new[] { ImageBuildFactory.OwnerReference(owner) } } };
        try
        {
            await kubernetes.CoreV1.PatchNamespacedSecretAsync(
                new V1Patch(KubernetesJson.Serialize(patch), V1Patch.PatchType.MergePatch),
                BuildNaming.TokenSecretName(owner.Metadata.Name), owner.Metadata.NamespaceProperty, cancellationToken: cancellationToken);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            // The reconciler already removed the token Secret of a finished build.
        }
    }

    private static async Task CreateIgnoringConflictAsync(Func<Task> create)
    {
        try
        {
            await create();
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Conflict)
        {
            // Left by an earlier delivery of this request; same name, same content.
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

    private static bool IsFinished(ImageBuild build) => Phases.IsTerminal(build.Status?.Phase);

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
