namespace ImageBuilder.Operator.Controllers.Client;

/// <summary>
/// Replaces the status subresource of one object (named by its metadata) with the resourceVersion it carries: a change
/// since that version is the apiserver's 409 (Conflict). The seam the status write is unit-tested through.
/// </summary>
public interface IStatusWriter<T>
    where T : class
{
    /// <summary>The object as stored (with its new resourceVersion).</summary>
    Task<T> ReplaceStatusAsync(string @namespace, T obj, CancellationToken cancellationToken);
}
