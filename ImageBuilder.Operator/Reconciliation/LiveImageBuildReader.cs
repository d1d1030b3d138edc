using ImageBuilder.Operator.Api;
using ImageBuilder.Operator.Controllers.Client;
using k8s;

namespace ImageBuilder.Operator.Reconciliation;

/// <summary>
/// One ImageBuild read live and whole from the apiserver, for the few readers that need what the informer's cache does
/// not keep (<see cref="ImageBuildCacheTrim"/>: managedFields of every build; messages, log tail and plan of a finished
/// one). The seam lets those readers be tested against in-memory objects.
/// </summary>
public sealed class LiveImageBuildReader(IKubernetes kubernetes) : IObjectReader<ImageBuild>
{
    public Task<ImageBuild?> GetAsync(string @namespace, string name, CancellationToken cancellationToken) =>
        kubernetes.GetImageBuildOrNullAsync(@namespace, name, cancellationToken);
}
