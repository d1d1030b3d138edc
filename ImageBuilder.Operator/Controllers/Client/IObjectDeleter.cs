namespace ImageBuilder.Operator.Controllers.Client;

/// <summary>
/// Deletes one object by namespace and name (dependents, such as a Job's pods, go in the background); a missing object
/// is the apiserver's 404. The seam a step is unit-tested through.
/// </summary>
public interface IObjectDeleter<T>
    where T : class
{
    Task DeleteAsync(string @namespace, string name, CancellationToken cancellationToken);

    /// <summary>
    /// Deletes the object only while the name still belongs to the object with <paramref name="uid"/> (a uid
    /// precondition): an object that took the name since is left alone, the apiserver's 409 (Conflict).
    /// </summary>
    Task DeleteAsync(string @namespace, string name, string uid, CancellationToken cancellationToken);
}
