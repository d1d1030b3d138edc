using System.Net;
using ImageBuilder.Operator.Api;
using ImageBuilder.Operator.Controllers;
using ImageBuilder.Operator.Controllers.Client;
using ImageBuilder.Operator.Options;
using ImageBuilder.Operator.Requests;
using k8s.Autorest;
using Microsoft.Extensions.Options;

namespace ImageBuilder.Operator.Reconciliation.Steps;

/// <summary>
/// Deletes finished ImageBuilds per <see cref="RetentionPolicy"/>: this one when its time to live has passed (else it
/// asks to be reconciled then), and the finished builds of its application beyond their limits, so the newest build
/// to finish prunes the older ones at once. A bridge-made build's name is remembered first (<see cref="RetiredBuilds"/>)
/// so its request, redelivered, is not built again. Sets: no condition (the object goes).
/// </summary>
public sealed class RetentionStep(
    IObjectDeleter<ImageBuild> deleter,
    IObjectCache<ImageBuild> cache,
    RetiredBuilds retired,
    IOptions<RetentionOptions> options,
    ILogger<RetentionStep> logger) : IReconcileStep
{
    // A build whose status this reconcile changed is deleted on the next one, after the status write landed.
    private static readonly TimeSpan AfterWrite = TimeSpan.FromSeconds(1);

    public async Task<StepResult> RunAsync(ReconcileContext context, CancellationToken cancellationToken)
    {
        if (!options.Value.Enabled || !RetentionPolicy.IsSettled(context.Status))
        {
            return StepResult.Continue();
        }
        var self = new ImageBuild { Metadata = context.Build.Metadata, Spec = context.Build.Spec, Status = context.Status };
        var application = Supersession.ApplicationKey(self) is { } key
            ? cache.ByIndex(Supersession.ByApplication, key).Where(b => b.Metadata.Uid != self.Metadata.Uid && b.Metadata.DeletionTimestamp is null).Append(self).ToList()
            : [self];
        var deleteSelf = false;
        foreach (var (build, why) in RetentionPolicy.Doomed(application, PolicyOf, context.Now))
        {
            if (ReferenceEquals(build, self))
            {
                deleteSelf = true;
                continue;
            }
            await DeleteAsync(build, why, cancellationToken);
        }
        if (deleteSelf)
        {
            if (!ImageBuildStore.SameStatus(context.Build, context.Status))
            {
                return StepResult.RequeueAfterDelay(AfterWrite);
            }
            await DeleteAsync(context.Build, RetentionPolicy.ByTtl, cancellationToken);
            return StepResult.Done();
        }
        return PolicyOf(self).ExpiresAt(context.Status) is { } expires
            ? StepResult.RequeueAfterDelay(expires - context.Now > AfterWrite ? expires - context.Now : AfterWrite)
            : StepResult.Continue();
    }

    private RetentionPolicy PolicyOf(ImageBuild build)
    {
        var policy = RetentionPolicy.For(build.Spec.Retention, options.Value, out var invalid);
        if (invalid is { } bad)
        {
            Log.RetentionOverrideInvalid(logger, build.Metadata.NamespaceProperty, build.Metadata.Name, bad.Field, bad.Value);
        }
        return policy;
    }

    private async Task DeleteAsync(ImageBuild build, string why, CancellationToken cancellationToken)
    {
        if (build.Metadata.Annotations?.TryGetValue(ImageBuildFactory.RequestedByAnnotation, out var by) == true && by == ImageBuildFactory.RequestedByBridge)
        {
            await retired.RememberAsync(build, cancellationToken);
        }
        try
        {
            // The uid precondition: never a newer ImageBuild that took the name since the cache saw this one.
            await deleter.DeleteAsync(build.Metadata.NamespaceProperty, build.Metadata.Name, build.Metadata.Uid, cancellationToken);
            Log.RetentionDeleted(logger, build.Metadata.NamespaceProperty, build.Metadata.Name, why);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Conflict)
        {
            // Already deleted, or the name belongs to another object now.
        }
    }
}
