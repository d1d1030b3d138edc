namespace ImageBuilder.Operator.Controllers.Client;

/// <summary>One page of a list call: its items, the collection's resourceVersion and the token for the next page.</summary>
public sealed record ResourcePage<T>(IReadOnlyList<T> Items, string ResourceVersion, string? Continue);
