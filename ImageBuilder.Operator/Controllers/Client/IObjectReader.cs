namespace ImageBuilder.Operator.Controllers.Client;

/// <summary>
/// Reads one object of a type by namespace and name. The seam between a reconcile step and the API, so the step
/// is table-tested against an in-memory reader in milliseconds; the cluster tests keep the real one honest.
/// </summary>
public interface IObjectReader<T>
    where T : class
{
    /// <summary>The object, or null when it does not exist.</summary>
    Task<T?> GetAsync(string @namespace, string name, CancellationToken cancellationToken);
}
