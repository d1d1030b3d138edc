using System.Reflection;
using ImageBuilder.Operator.Api;
using ImageBuilder.Operator.Controllers.Client;
using ImageBuilder.Operator.Messaging;
using ImageBuilder.Operator.Options;
using ImageBuilder.Operator.Reconciliation;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.StaticFiles;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Options;

namespace ImageBuilder.Operator.Dashboard;

/// <summary>
/// The read-only build dashboard on the operator's own port: static files (embedded in the assembly, so it works the
/// same from <c>dotnet run</c>, the tests and the container image) and a few GET endpoints under <c>/api/dashboard</c>.
/// </summary>
public static class DashboardExtensions
{
    public const string ApiPrefix = "/api/dashboard";

    /// <summary>
    /// Content Security Policy of every dashboard response: only the dashboard's own files, no inline script, no
    /// framing, nothing sent elsewhere.
    /// </summary>
    private const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; " +
        "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    /// <summary>Options (validated even when off) and, when <see cref="DashboardOptions.Enabled"/>, the dashboard's services.</summary>
    public static WebApplicationBuilder AddDashboard(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        var section = builder.Configuration.GetSection(DashboardOptions.SectionName);
        services.AddOptions<DashboardOptions>().Bind(section).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<DashboardOptions>, DashboardOptionsValidator>());
        if (!(section.Get<DashboardOptions>()?.Enabled ?? false))
        {
            return builder;
        }
        services.AddSingleton<DashboardMarker>();
        services.AddSingleton<BuildFeed>();
        services.AddHostedService(sp => sp.GetRequiredService<BuildFeed>());
        services.AddSingleton<LiveBuilds>();
        services.TryAddSingleton<IObjectReader<ImageBuild>, LiveImageBuildReader>();
        services.AddSingleton<BuildDetails>();
        services.AddSingleton(sp => new QueueDepths(sp.GetRequiredService<TimeProvider>(), sp.GetService<RabbitMqConnection>()));
        services.AddSingleton<RegistryBrowser>();
        services.AddHttpClient(RegistryBrowser.HttpClientName, client => client.Timeout = TimeSpan.FromSeconds(15));
        return builder;
    }

    /// <summary>Serves the dashboard at <c>/</c> when it is enabled; does nothing otherwise.</summary>
    public static WebApplication MapDashboard(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        if (app.Services.GetService<DashboardMarker>() is null)
        {
            return app;
        }
        app.Use(SecurityHeaders);
        var files = new EmbeddedFileProvider(Assembly.GetExecutingAssembly(), typeof(DashboardExtensions).Assembly.GetName().Name + ".wwwroot");
        app.UseDefaultFiles(new DefaultFilesOptions { FileProvider = files });
        app.UseStaticFiles(new StaticFileOptions
        {
            FileProvider = files,
            ContentTypeProvider = new FileExtensionContentTypeProvider(),
            // Revalidated on every load, so a new operator version is never shown with old scripts.
            OnPrepareResponse = context => context.Context.Response.Headers.CacheControl = "no-cache",
        });

        var api = app.MapGroup(ApiPrefix);
        api.MapGet("/builds", (BuildFeed feed) => TypedResults.Ok(feed.Snapshot()));
        api.MapGet("/builds/stream", (LiveBuilds stream, HttpContext context, IHostApplicationLifetime lifetime) =>
        {
            // A stream ends with the request or with the host, so an open page never holds up a shutdown.
            var stopping = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, lifetime.ApplicationStopping);
            context.Response.RegisterForDispose(stopping);
            return TypedResults.ServerSentEvents(stream.ReadAsync(stopping.Token));
        });
        api.MapGet("/builds/{namespace}/{name}", async Task<Results<Ok<BuildDetail>, NotFound>> (string @namespace, string name, BuildDetails details, CancellationToken ct) =>
            await details.ReadAsync(@namespace, name, ct) is { } detail ? TypedResults.Ok(detail) : TypedResults.NotFound());
        api.MapGet("/queues", async (QueueDepths queues, CancellationToken ct) => TypedResults.Ok(await queues.ReadAsync(ct)));
        api.MapGet("/registry", async (RegistryBrowser registry, CancellationToken ct) => TypedResults.Ok(await registry.CatalogAsync(ct)));
        api.MapGet("/registry/{**repository}", async Task<Results<Ok<TagsView>, BadRequest<string>>> (string repository, RegistryBrowser registry, CancellationToken ct) =>
            RegistryBrowser.IsRepositoryName(repository)
                ? TypedResults.Ok(await registry.TagsAsync(repository, ct))
                : TypedResults.BadRequest("not a repository name"));
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(DashboardExtensions));
        Log.DashboardEnabled(logger, "/");
        return app;
    }

    private static Task SecurityHeaders(HttpContext context, Func<Task> next)
    {
        var path = context.Request.Path;
        if (!path.StartsWithSegments("/metrics") && !path.StartsWithSegments("/healthz") && !path.StartsWithSegments("/readyz"))
        {
            var headers = context.Response.Headers;
            headers.ContentSecurityPolicy = ContentSecurityPolicy;
            headers.XContentTypeOptions = "nosniff";
            headers["Referrer-Policy"] = "no-referrer";
        }
        return next();
    }
}
