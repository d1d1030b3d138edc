using k8s.Models;

namespace ImageBuilder.Operator.Controllers.Client;

/// <summary>One page of a list call: its items, the collection's resourceVersion and the token for the next page.</summary>
public sealed record ResourcePage<T>(IReadOnlyList<T> Items, string ResourceVersion, string? Continue);

public static class ResourcePage
{
    /// <summary>A LIST answer's page: its items, the resourceVersion to watch from, and the token of the next page (none when empty).</summary>
    public static ResourcePage<T> Of<T>(IList<T>? items, V1ListMeta? metadata) =>
        new(items?.ToArray() ?? [], metadata?.ResourceVersion ?? "", string.IsNullOrEmpty(metadata?.ContinueProperty) ? null : metadata.ContinueProperty);
}
