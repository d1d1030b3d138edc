namespace ImageBuilder.Operator.Controllers.Client;

/// <summary>
/// Applies a JSON merge patch (RFC 7386) to one object: the fields the patch names change, a null removes one, the
/// rest stays, and no resourceVersion is compared (for a change that holds whatever else moved, such as adding an
/// annotation). A missing object is the apiserver's 404. The seam a step is unit-tested through.
/// </summary>
public interface IObjectPatcher<T>
    where T : class
{
    /// <param name="namespace">The object's namespace.</param>
    /// <param name="name">The object's name.</param>
    /// <param name="patch">The merge patch, serialized as the Kubernetes client serializes objects (an anonymous object will do).</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The object as stored.</returns>
    Task<T> MergePatchAsync(string @namespace, string name, object patch, CancellationToken cancellationToken);
}
