namespace ImageBuilder.Operator.Dashboard;

/// <summary>
/// One tag: its manifest digest, the image's compressed size (config and layers, as registries count it; null when
/// unknown) and the ImageBuilds (<c>namespace/name</c>) whose <c>status.image</c> is this tag.
/// </summary>
public sealed record TagView(string Tag, string? Digest, long? Size, string? MediaType, IReadOnlyList<string> Builds, string? Error);
