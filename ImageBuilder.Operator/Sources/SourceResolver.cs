using ImageBuilder.Operator.Api;

namespace ImageBuilder.Operator.Sources;

/// <summary>Dispatches to the <see cref="ISourceConnector"/> named by <see cref="SourceSpec.Connector"/>.</summary>
public sealed class SourceResolver : ISourceResolver
{
    private readonly Dictionary<string, ISourceConnector> _connectors;
    private readonly ILogger<SourceResolver> _logger;

    public SourceResolver(IEnumerable<ISourceConnector> connectors, ILogger<SourceResolver> logger)
    {
        _connectors = connectors.ToDictionary(c => c.Name, StringComparer.OrdinalIgnoreCase);
        _logger = logger;
    }

    public async Task<SourceResolution> ResolveAsync(SourceSpec source, string? token, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (!_connectors.TryGetValue(source.Connector ?? "", out var connector))
        {
            return SourceResolution.UserFault(SourceFailureReasons.InvalidSource,
                $"Unknown source connector '{source.Connector}'; use one of: {string.Join(", ", _connectors.Keys.Order(StringComparer.Ordinal))}.");
        }
        var repo = SourceRedaction.Redact(source.Repo);
        Log.Resolving(_logger, connector.Name, repo, source.Type);
        var result = await connector.ResolveAsync(source, token, cancellationToken);
        if (result.Failure is { } failure)
        {
            Log.ResolveFailed(_logger, repo, failure.Fault, failure.Reason, failure.Message);
        }
        else
        {
            Log.Resolved(_logger, repo, result.Commit);
        }
        return result;
    }
}
