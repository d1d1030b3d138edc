using ImageBuilder.Operator.Api;
using ImageBuilder.Operator.Builds;
using ImageBuilder.Operator.Controllers;
using ImageBuilder.Operator.Dashboard;
using ImageBuilder.Operator.Metrics;
using ImageBuilder.Operator.RabbitMq;
using ImageBuilder.Operator.Reconciliation;
using ImageBuilder.Operator.Reconciliation.Admission;
using ImageBuilder.Operator.Sources;

namespace ImageBuilder.Operator.Hosting;

/// <summary>Wires every role of the operator into the host; Program.cs stays a few lines.</summary>
public static class ImageBuilderHostExtensions
{
    public static WebApplicationBuilder AddImageBuilder(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        // Reconciles in flight get Controller:ShutdownTimeout (20 s) to finish; the host must wait longer.
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(30));
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSources(builder.Configuration);
        builder.Services.AddBuilds(builder.Configuration);
        builder.Services.AddMessaging(builder.Configuration);
        builder.Services.AddReconciliation();
        builder.Services.AddImageBuildController(builder.Configuration);
        builder.Services.AddOperatorMetrics(TrackOperatorState);
        builder.Services.AddSingleton<ReadinessProbe>();
        builder.AddDashboard();
        return builder;
    }

    public static WebApplication MapImageBuilderEndpoints(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        // Alive as long as the host answers; readiness is ReadinessProbe's (never the Lease's).
        app.MapGet("/healthz", () => Results.Text("ok"));
        app.MapGet("/readyz", (ReadinessProbe probe) =>
        {
            var (ready, detail) = probe.Check();
            return Results.Text(detail, statusCode: ready ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
        });
        app.MapOperatorMetrics();
        app.MapDashboard();
        return app;
    }

    /// <summary>The gauges read at scrape time, from the roles this replica runs (a role switched off has none).</summary>
    private static void TrackOperatorState(IServiceProvider services, OperatorMetrics metrics)
    {
        if (services.GetService<RabbitMqConnection>() is { } connection)
        {
            metrics.TrackBuildQueueDepth(new BuildQueueDepth(connection).ReadAsync);
        }
        if (services.GetService<IObjectCache<ImageBuild>>() is { } cache)
        {
            metrics.TrackImageBuilds(() => cache.HasSynced ? cache.List() : null, services.GetService<TimeProvider>() ?? TimeProvider.System);
        }
        if (services.GetService<BuildSlots>() is { } slots)
        {
            metrics.TrackBuildSlots(() => slots.HasSynced ? slots.Snapshot() : null);
        }
    }
}
