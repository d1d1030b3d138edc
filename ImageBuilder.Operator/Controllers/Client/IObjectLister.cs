namespace ImageBuilder.Operator.Controllers.Client;

/// <summary>Lists objects of a type in one namespace by label selector, live (not from an informer's cache); the seam a step is unit-tested through.</summary>
public interface IObjectLister<T>
    where T : class
{
    Task<IReadOnlyList<T>> ListAsync(string @namespace, string labelSelector, CancellationToken cancellationToken);
}
