namespace ImageBuilder.Operator.Controllers.Client;

/// <summary>
/// Deletes one object by namespace and name (a Job's pods go in the background); a missing object is the
/// apiserver's 404. The seam a step is unit-tested through.
/// </summary>
public interface IObjectDeleter<T>
    where T : class
{
    Task DeleteAsync(string @namespace, string name, CancellationToken cancellationToken);
}
