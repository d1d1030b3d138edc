namespace ImageBuilder.Operator.Controllers.Client;

/// <summary>
/// Replaces one object (named by its metadata) with the resourceVersion it carries: a change since that version is
/// the apiserver's 409 (Conflict), a missing object its 404. The seam a step is unit-tested through.
/// </summary>
public interface IObjectReplacer<T>
    where T : class
{
    /// <summary>The object as stored (with its new resourceVersion).</summary>
    Task<T> ReplaceAsync(string @namespace, T obj, CancellationToken cancellationToken);
}
