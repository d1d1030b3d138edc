using ImageBuilder.Operator.Api;
using ImageBuilder.Operator.Sources;

namespace ImageBuilder.Operator.Tests.Sources;

/// <summary>A connector that records which repositories it was asked about and resolves them to a fixed commit.</summary>
internal sealed class RecordingConnector(string name) : ISourceConnector
{
    public string Name { get; } = name;

    public List<string> Seen { get; } = [];

    public Task<SourceResolution> ResolveAsync(SourceSpec source, string? token, CancellationToken cancellationToken)
    {
        Seen.Add(source.Repo);
        return Task.FromResult(SourceResolution.Resolved(new string('a', 40), null, null, "main"));
    }
}
