using ImageBuilder.Operator.Options;
using Microsoft.Extensions.Options;

namespace ImageBuilder.Operator.Builds;

/// <summary>Picks the registered strategy whose name the options give.</summary>
public sealed class BuildStrategyProvider(IEnumerable<IBuildStrategy> strategies, IOptions<BuildOptions> options) : IBuildStrategyProvider
{
    public IBuildStrategy Current { get; } = strategies.FirstOrDefault(s => string.Equals(s.Name, options.Value.Strategy, StringComparison.Ordinal))
        ?? throw new InvalidOperationException($"No build strategy named '{options.Value.Strategy}' is registered.");
}
