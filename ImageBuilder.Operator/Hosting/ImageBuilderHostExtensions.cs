namespace ImageBuilder.Operator.Hosting;

/// <summary>Wires every role of the operator into the host; Program.cs stays a few lines.</summary>
public static class ImageBuilderHostExtensions
{
    public static WebApplicationBuilder AddImageBuilder(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddSingleton(TimeProvider.System);
        return builder;
    }

    public static WebApplication MapImageBuilderEndpoints(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapGet("/healthz", () => Results.Ok("ok"));
        return app;
    }
}
