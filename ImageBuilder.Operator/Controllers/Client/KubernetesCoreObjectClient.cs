using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace ImageBuilder.Operator.Controllers.Client;

/// <summary>
/// Objects of one core-group kind by name, live; never listed or watched. The core group (/api/v1) has no generic
/// path (<see cref="KubernetesResourceClient{T}"/> serves named groups only) and the generated client has one method
/// per kind and verb, so a kind is given as its four calls (a delete takes its options: none, or a uid precondition) (<see cref="KubernetesCoreObjects"/>).
/// </summary>
public sealed class KubernetesCoreObjectClient<T>(
    Func<string, string, CancellationToken, Task<T>> read,
    Func<string, T, CancellationToken, Task<T>> create,
    Func<string, T, CancellationToken, Task<T>> replace,
    Func<string, string, V1DeleteOptions?, CancellationToken, Task> delete)
    : IObjectReader<T>, IObjectCreator<T>, IObjectReplacer<T>, IObjectDeleter<T>
    where T : class, IKubernetesObject<V1ObjectMeta>
{
    public async Task<T?> GetAsync(string @namespace, string name, CancellationToken cancellationToken)
    {
        try
        {
            return await read(@namespace, name, cancellationToken);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    public Task<T> CreateAsync(string @namespace, T obj, CancellationToken cancellationToken) => create(@namespace, obj, cancellationToken);

    public Task<T> ReplaceAsync(string @namespace, T obj, CancellationToken cancellationToken) => replace(@namespace, obj, cancellationToken);

    public Task DeleteAsync(string @namespace, string name, CancellationToken cancellationToken) => delete(@namespace, name, null, cancellationToken);

    public Task DeleteAsync(string @namespace, string name, string uid, CancellationToken cancellationToken) =>
        delete(@namespace, name, DeleteOptions.Background(uid), cancellationToken);
}
