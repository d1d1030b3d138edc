namespace ImageBuilder.Operator.Controllers.Client;

/// <summary>
/// Creates one object in a namespace. An object of that name already there is the apiserver's 409 (AlreadyExists),
/// one it refuses is its 422, both as <see cref="k8s.Autorest.HttpOperationException"/>, so a step decides on the
/// same answers against the apiserver and against an in-memory creator. The seam a step is unit-tested through.
/// </summary>
public interface IObjectCreator<T>
    where T : class
{
    /// <summary>The object as stored (with its resourceVersion).</summary>
    Task<T> CreateAsync(string @namespace, T obj, CancellationToken cancellationToken);
}
