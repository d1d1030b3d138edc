namespace ImageBuilder.Operator.Controllers.Client;

/// <summary>Deletes one object by namespace and name, its dependents in the background; the seam a step is unit-tested through.</summary>
public interface IObjectDeleter<T>
    where T : class
{
    Task DeleteAsync(string @namespace, string name, CancellationToken cancellationToken);
}
