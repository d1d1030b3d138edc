using ImageBuilder.Operator.Api;
using ImageBuilder.Operator.Controllers.Client;
using k8s.Models;

namespace ImageBuilder.Operator.Reconciliation;

/// <summary>
/// The operator's own small bookkeeping ConfigMaps (<see cref="NotificationOrder"/>, <see cref="RetiredBuilds"/>): read
/// live, and written as a compare-and-swap on what was read, so two writers never lose each other's entry.
/// </summary>
public sealed class OperatorConfigMaps(IObjectReader<V1ConfigMap> reader, IObjectCreator<V1ConfigMap> creator, IObjectReplacer<V1ConfigMap> replacer)
{
    /// <summary>The ConfigMap, read live (a stale copy would defeat the compare-and-swap), or null when there is none.</summary>
    public Task<V1ConfigMap?> ReadAsync(string ns, string name, CancellationToken cancellationToken) =>
        reader.GetAsync(ns, name, cancellationToken);

    /// <summary>
    /// Writes <paramref name="data"/>: creates the ConfigMap when <paramref name="read"/> is null, else replaces it with
    /// the read resourceVersion. Either fails with 409 when another writer came first; the caller reads again.
    /// </summary>
    public async Task WriteAsync(string ns, string name, V1ConfigMap? read, IDictionary<string, string> data, CancellationToken cancellationToken)
    {
        if (read is null)
        {
            await creator.CreateAsync(ns, new V1ConfigMap
            {
                Metadata = new V1ObjectMeta
                {
                    Name = name,
                    NamespaceProperty = ns,
                    Labels = new Dictionary<string, string> { [Annotations.ManagedByLabel] = Annotations.ManagedByValue },
                },
                Data = data,
            }, cancellationToken);
            return;
        }
        read.Data = data;
        await replacer.ReplaceAsync(ns, read, cancellationToken);
    }
}
