using k8s.Models;

namespace ImageBuilder.Operator.Controllers.Client;

/// <summary>The body of a delete, one way for every <see cref="IObjectDeleter{T}"/> on the API.</summary>
internal static class DeleteOptions
{
    /// <summary>
    /// Dependents go in the background; with <paramref name="uid"/>, only that object is deleted (the apiserver answers
    /// 409 when the name belongs to another one now).
    /// </summary>
    public static V1DeleteOptions Background(string? uid = null) => new()
    {
        PropagationPolicy = "Background",
        Preconditions = uid is null ? null : new V1Preconditions { Uid = uid },
    };
}
