namespace ImageBuilder.Operator.Tests.Deploy;

/// <summary>
/// The parts of a ServiceMonitor or PrometheusRule (monitoring.coreos.com/v1) the chart tests read; the
/// KubernetesClient has no model for them.
/// </summary>
internal sealed class MonitoringObject
{
    public k8s.Models.V1ObjectMeta Metadata { get; set; } = new();

    public MonitoringSpec Spec { get; set; } = new();

    internal sealed class MonitoringSpec
    {
        public LabelSelector? Selector { get; set; }

        public List<Endpoint>? Endpoints { get; set; }

        public List<RuleGroup>? Groups { get; set; }
    }

    internal sealed class LabelSelector
    {
        public Dictionary<string, string> MatchLabels { get; set; } = [];
    }

    internal sealed class Endpoint
    {
        public string? Port { get; set; }

        public string? Path { get; set; }

        public string? Interval { get; set; }
    }

    internal sealed class RuleGroup
    {
        public string? Name { get; set; }

        public List<Rule> Rules { get; set; } = [];
    }

    internal sealed class Rule
    {
        public string? Alert { get; set; }

        public string? Expr { get; set; }

        public string? For { get; set; }

        public Dictionary<string, string> Labels { get; set; } = [];
    }
}
