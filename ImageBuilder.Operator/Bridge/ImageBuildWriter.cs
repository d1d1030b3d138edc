using System.Net;
using System.Text.Json;
using ImageBuilder.Operator.Api;
using ImageBuilder.Operator.Controllers.Client;
using ImageBuilder.Operator.Reconciliation;
using ImageBuilder.Operator.Requests;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace ImageBuilder.Operator.Bridge;

/// <summary>
/// Writes a build request to the apiserver in two calls: the ImageBuild, then its token Secret with
/// the owner reference already set (the new ImageBuild's uid is known by then), so the Secret goes
/// with the build and never exists without an owner. A message redelivered after a crash between the
/// two finds the ImageBuild there (409), reads it once and creates the missing Secret; the Secret's
/// 409 means it is already there. The reconciler tolerates the moment between the two writes
/// (<see cref="Reconciliation.Steps.ResolveSourceStep"/>). Every step tolerates "already there",
/// so a redelivered message converges on the same objects. A name that retention deleted counts as a
/// finished build of that name (<see cref="RetiredBuilds"/>), so deleting it changes nothing here; with
/// retention on, the names come from a watched copy (<see cref="RetiredNamesCache"/>), read live only where the copy
/// could miss a name that matters, so a new request still costs two calls.
/// </summary>
public sealed class ImageBuildWriter(IKubernetes kubernetes, RequestClock? clock = null, RetiredBuilds? retired = null, RetiredNamesCache? retiredCache = null)
{
    private readonly KubernetesCustomObjectClient<ImageBuild> _builds = new(kubernetes);

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
    /// The create is tried first and the existing object read only on a conflict: a new request, the common case,
    /// costs two calls (the ImageBuild and its Secret) like a bare create loop; the retired names come from a watched copy.
    /// </summary>
    private async Task<BuildWriteResult> WriteFirstFreeAsync(BuildRequest request, string? messageId, bool redelivered, string @namespace, DateTimeOffset requestedAt, CancellationToken cancellationToken)
    {
        IReadOnlySet<string>? retiredNames = null;
        var nameVanished = false;
        var generation = 0;
        while (generation < MaxGenerations)
        {
            var name = BuildNaming.NameFor(request, messageId, generation);
            if (retiredNames is null && (retiredCache?.Enabled ?? retired?.Enabled ?? false))
            {
                // Once per message (again after a name vanished under us): a name retention deleted is free at the
                // apiserver, and only this tells it from one that never existed. From the watched copy when that is safe
                // (RetiredNamesCache.MustReadLive says when it is not), else live.
                retiredNames = retiredCache is not null
                    ? await retiredCache.GetAsync(@namespace, RetiredNamesCache.MustReadLive(redelivered, nameVanished), cancellationToken)
                    : await retired!.ReadAsync(@namespace, cancellationToken);
            }
            if (retiredNames?.Contains(name) == true)
            {
                // A redelivered message may have made this name again after its retirement (its first delivery judged by a
                // copy that had not seen the retirement yet): then the object is there and is this request's build.
                // Looked up only for a redelivery of a retired name, which is rare.
                if (redelivered && await _builds.GetAsync(@namespace, name, cancellationToken) is { } again)
                {
                    if (await ExistingAsync(request, again, messageId, redelivered, cancellationToken) is { } result)
                    {
                        return result;
                    }
                    generation++;
                    continue;
                }
                // A finished build retention deleted: with a message id it is this request, already built; without one,
                // an identical request after a finished build is a new one and takes the next generation, as before.
                if (messageId is not null)
                {
                    return new BuildWriteResult(BuildWriteOutcome.AlreadyExists, name);
                }
                generation++;
                continue;
            }
            ImageBuild created;
            try
            {
                created = await kubernetes.CustomObjects.CreateNamespacedCustomObjectAsync<ImageBuild>(
                    ImageBuildFactory.NewImageBuild(request, name, @namespace, messageId, requestedAt),
                    ImageBuild.Group, ImageBuild.Version, @namespace, ImageBuild.Plural, cancellationToken: cancellationToken);
            }
            catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Conflict)
            {
                // A redelivery, a resend, another replica's bridge, or an earlier generation.
                var existing = await _builds.GetAsync(@namespace, name, cancellationToken);
                if (existing is null)
                {
                    // Deleted between the two calls (retention remembers a name before it deletes it): look again, live,
                    // since a watched copy may not have the name yet.
                    retiredNames = null;
                    nameVanished = true;
                    continue;
                }
                if (await ExistingAsync(request, existing, messageId, redelivered, cancellationToken) is { } result)
                {
                    return result;
                }
                generation++;
                continue;
            }
            // Created (201). The name was free, so if it had ever existed it was deleted; retention writes a name to the
            // ConfigMap before it deletes the ImageBuild, so a name it retired is in the live read or in the copy, except in
            // the moment between that write reaching the apiserver and the copy's watch delivering it. Only a request handled
            // before can own a retired name: a broker redelivery reads live (MustReadLive), so the moment is left to a sender's
            // resend of a message id whose first build was built, announced and retired within that moment of the resend,
            // and to an identical request without one, which is a new request to build in any case (it then takes the
            // retired generation; a redelivery of it finds the object there, above).
            await CreateTokenSecretAsync(request, created, cancellationToken);
            return new BuildWriteResult(BuildWriteOutcome.Created, name);
        }
        return new BuildWriteResult(BuildWriteOutcome.Rejected, "", $"This exact request was already built {MaxGenerations} times; delete old ImageBuilds to build it again.");
    }

    /// <summary>What an existing ImageBuild of the name means: this request's build (the result), or null for the next generation.</summary>
    private async Task<BuildWriteResult?> ExistingAsync(BuildRequest request, ImageBuild existing, string? messageId, bool redelivered, CancellationToken cancellationToken)
    {
        if (messageId is not null || (redelivered && !IsFinished(existing)))
        {
            if (!IsFinished(existing))
            {
                // The earlier delivery may have stopped before its Secret; a finished build's
                // Secret was deleted on purpose and is not brought back.
                await CreateTokenSecretAsync(request, existing, cancellationToken);
            }
            return new BuildWriteResult(BuildWriteOutcome.AlreadyExists, existing.Metadata.Name);
        }
        return null;
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
