using System.Net;
using System.Text.Json;
using System.Threading.Channels;
using ImageBuilder.Operator.Api;
using ImageBuilder.Operator.Controllers;
using k8s;
using k8s.Autorest;

namespace ImageBuilder.Operator.Tests.Integration.Controllers;

/// <summary>
/// A reconciler that does what the real one does to its object in the end: reads it and writes its status.
/// It records every call, so a test can tell whether that status write brought the object back.
/// </summary>
public sealed class StatusWritingReconciler(IKubernetes kubernetes) : IReconciler<ImageBuild>
{
    private readonly Channel<ReconcileCall> _calls = Channel.CreateUnbounded<ReconcileCall>();
    private int _count;

    public int Count => Volatile.Read(ref _count);

    /// <summary>Runs before the status write, to hold a reconcile in flight.</summary>
    public Func<CancellationToken, Task>? BeforeStatusWrite { get; set; }

    public async Task<ReconcileResult> ReconcileAsync(ObjectKey key, CancellationToken cancellationToken)
    {
        ImageBuild build;
        try
        {
            build = await kubernetes.CustomObjects.GetNamespacedCustomObjectAsync<ImageBuild>(
                ImageBuild.Group, ImageBuild.Version, key.Namespace, ImageBuild.Plural, key.Name, cancellationToken);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            Record(new ReconcileCall(key, null, cancellationToken.IsCancellationRequested));
            return ReconcileResult.Done();
        }
        if (BeforeStatusWrite is { } hold)
        {
            await hold(cancellationToken);
        }
        var generation = build.Metadata.Generation;
        var patch = JsonSerializer.Serialize(new { status = new { phase = Phases.Building, observedGeneration = generation } });
        await ImageBuilds.PatchStatusAsync(kubernetes, key.Namespace, key.Name, patch);
        Record(new ReconcileCall(key, generation, cancellationToken.IsCancellationRequested));
        return ReconcileResult.Done();
    }

    /// <summary>The next reconcile (that matches), in the order they ran.</summary>
    public async Task<ReconcileCall> NextAsync(Func<ReconcileCall, bool>? match = null)
    {
        using var guard = new CancellationTokenSource(RecordingHandler<object>.Guard);
        while (true)
        {
            var call = await _calls.Reader.ReadAsync(guard.Token);
            if (match is null || match(call))
            {
                return call;
            }
        }
    }

    private void Record(ReconcileCall call)
    {
        Interlocked.Increment(ref _count);
        _calls.Writer.TryWrite(call);
    }
}
