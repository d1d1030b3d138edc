using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace ImageBuilder.Operator.Controllers.Client;

/// <summary>Creates, and reads, lists and deletes live, Jobs (the informer's cache may lag a Job created a moment ago).</summary>
public sealed class KubernetesJobClient(IKubernetes kubernetes) : IObjectCreator<V1Job>, IObjectReader<V1Job>, IObjectLister<V1Job>, IObjectDeleter<V1Job>
{
    public Task<V1Job> CreateAsync(string @namespace, V1Job obj, CancellationToken cancellationToken) =>
        kubernetes.BatchV1.CreateNamespacedJobAsync(obj, @namespace, cancellationToken: cancellationToken);

    public async Task<V1Job?> GetAsync(string @namespace, string name, CancellationToken cancellationToken)
    {
        try
        {
            return await kubernetes.BatchV1.ReadNamespacedJobAsync(name, @namespace, cancellationToken: cancellationToken);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    public async Task<IReadOnlyList<V1Job>> ListAsync(string @namespace, string labelSelector, CancellationToken cancellationToken) =>
        [.. (await kubernetes.BatchV1.ListNamespacedJobAsync(@namespace, labelSelector: labelSelector, cancellationToken: cancellationToken)).Items];

    /// <summary>Background propagation: the Job's pods go with it.</summary>
    public Task DeleteAsync(string @namespace, string name, CancellationToken cancellationToken) =>
        kubernetes.BatchV1.DeleteNamespacedJobAsync(name, @namespace, propagationPolicy: "Background", cancellationToken: cancellationToken);

    public Task DeleteAsync(string @namespace, string name, string uid, CancellationToken cancellationToken) =>
        kubernetes.BatchV1.DeleteNamespacedJobAsync(name, @namespace, DeleteOptions.Background(uid), cancellationToken: cancellationToken);
}
