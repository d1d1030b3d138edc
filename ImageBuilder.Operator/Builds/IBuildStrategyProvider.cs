namespace ImageBuilder.Operator.Builds;

/// <summary>The strategy chosen by <c>Build:Strategy</c>.</summary>
public interface IBuildStrategyProvider
{
    IBuildStrategy Current { get; }
}
