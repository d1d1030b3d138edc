using ImageBuilder.Operator.Api;

namespace ImageBuilder.Operator.Sources;

/// <summary>One place sources live (<see cref="Connectors"/>); <see cref="SourceResolver"/> dispatches on <see cref="Name"/>.</summary>
public interface ISourceConnector
{
    /// <summary>The <see cref="SourceSpec.Connector"/> value this connector serves.</summary>
    string Name { get; }

    Task<SourceResolution> ResolveAsync(SourceSpec source, string? token, CancellationToken cancellationToken);
}
