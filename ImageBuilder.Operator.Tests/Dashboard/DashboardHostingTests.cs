using System.Net;
using ImageBuilder.Operator.Dashboard;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ImageBuilder.Operator.Tests.Dashboard;

/// <summary>The dashboard's registration in a bare web host on loopback: off by default, its options validated at start.</summary>
public sealed class DashboardHostingTests
{
    [Fact]
    public async Task MapDashboard_NotEnabled_ServesNothing()
    {
        await using var app = Build([]);
        await app.StartAsync();
        using var http = new HttpClient { BaseAddress = Address(app) };

        var paths = new[] { "/", "/index.html", "/dashboard.js", "/api/dashboard/builds", "/api/dashboard/builds/stream", "/api/dashboard/registry" };
        foreach (var path in paths)
        {
            using var response = await http.GetAsync(new Uri(path, UriKind.Relative));
            Assert.True(response.StatusCode == HttpStatusCode.NotFound, $"GET {path}: {(int)response.StatusCode}");
        }
        await app.StopAsync();
    }

    [Fact]
    public async Task AddDashboard_BadOption_StopsStartWithItsPath()
    {
        await using var app = Build(new() { ["Dashboard:Enabled"] = "false", ["Dashboard:MaxRepositories"] = "0" });

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync());

        Assert.Contains("Dashboard:MaxRepositories", error.Message, StringComparison.Ordinal);
    }

    private static WebApplication Build(Dictionary<string, string?> settings)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Production" });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.AddDashboard();
        var app = builder.Build();
        app.MapDashboard();
        return app;
    }

    private static Uri Address(WebApplication app) =>
        new(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
}
