using ImageBuilder.Operator.Api;

namespace ImageBuilder.Operator.Sources;

/// <summary>Turns a requested source (repository and ref) into the exact commit to build, checking access with the user's token.</summary>
public interface ISourceResolver
{
    /// <summary>
    /// Resolves <paramref name="source"/>. Faults come back as a failed <see cref="SourceResolution"/>, classified user or service;
    /// only cancellation by <paramref name="cancellationToken"/> throws.
    /// </summary>
    Task<SourceResolution> ResolveAsync(SourceSpec source, string? token, CancellationToken cancellationToken);
}
