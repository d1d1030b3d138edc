using System.Net;
using ImageBuilder.Operator.Api;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace ImageBuilder.Operator.Reconciliation;

/// <summary>
/// The operator's own small bookkeeping ConfigMaps (<see cref="NotificationOrder"/>, <see cref="RetiredBuilds"/>): read
/// live, and written as a compare-and-swap on what was read, so two writers never lose each other's entry.
/// </summary>
public static class OperatorConfigMaps
{
    /// <summary>The ConfigMap, read live (a stale copy would defeat the compare-and-swap), or null when there is none.</summary>
    public static async Task<V1ConfigMap?> ReadAsync(IKubernetes kubernetes, string ns, string name, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(kubernetes);
        try
        {
            return await kubernetes.CoreV1.ReadNamespacedConfigMapAsync(name, ns, cancellationToken: cancellationToken);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    /// <summary>
    /// Writes <paramref name="data"/>: creates the ConfigMap when <paramref name="read"/> is null, else replaces it with
    /// the read resourceVersion. Either fails with 409 when another writer came first; the caller reads again.
    /// </summary>
    public static async Task WriteAsync(IKubernetes kubernetes, string ns, string name, V1ConfigMap? read, IDictionary<string, string> data, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(kubernetes);
        if (read is null)
        {
            await kubernetes.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap
            {
                Metadata = new V1ObjectMeta
                {
                    Name = name,
                    NamespaceProperty = ns,
                    Labels = new Dictionary<string, string> { [Annotations.ManagedByLabel] = Annotations.ManagedByValue },
                },
                Data = data,
            }, ns, cancellationToken: cancellationToken);
            return;
        }
        read.Data = data;
        await kubernetes.CoreV1.ReplaceNamespacedConfigMapAsync(read, name, ns, cancellationToken: cancellationToken);
    }
}
