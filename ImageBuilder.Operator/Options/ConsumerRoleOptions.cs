namespace ImageBuilder.Operator.Options;

/// <summary>Switch for one consuming role (bridge, retry listener) so replicas can run a subset.</summary>
public sealed class ConsumerRoleOptions
{
    public bool Enabled { get; set; } = true;
}
