namespace ImageBuilder.Operator.Dashboard;

/// <summary>Registered only when the dashboard is enabled, so mapping it needs no second read of the configuration.</summary>
internal sealed class DashboardMarker;
