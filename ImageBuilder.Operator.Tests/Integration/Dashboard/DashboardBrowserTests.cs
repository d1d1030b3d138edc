using System.Text.Json;
using System.Text.RegularExpressions;
using ImageBuilder.Operator.Api;
using ImageBuilder.Operator.Builds;
using ImageBuilder.Operator.Tests.Integration.Reconciliation;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace ImageBuilder.Operator.Tests.Integration.Dashboard;

/// <summary>
/// The dashboard of the real operator host, in Debian's chromium: pages stay open while builds run on the development
/// cluster, and everything they must show arrives without a reload (server-sent events from the informer cache).
/// </summary>
[Collection(PlatformCollection.Name)]
public sealed class DashboardBrowserTests(PlatformFixture fixture, ITestOutputHelper output)
{
    private static readonly float BuildWait = (float)BuildScenario.BuildTimeout.TotalMilliseconds;
    private static readonly float PageWait = 30_000;

    private static Dictionary<string, string?> DashboardOn() => new(StringComparer.Ordinal)
    {
        ["Dashboard:Enabled"] = "true",
        // Each read of the registry view reaches the registry, so the tag pushed a moment ago is there.
        ["Dashboard:RegistryCacheDuration"] = "00:00:00",
        // The shared development registry keeps every repository earlier runs pushed (a full make chaos adds ~450);
        // past the default bound of 1,000 this run's repository would be cut from the view.
        ["Dashboard:MaxRepositories"] = "100000",
    };

    [Fact]
    public async Task Dashboard_BuildSubmittedToQueue_AppearsAndSucceedsLiveThenRegistryListsItsTag()
    {
        await using var scenario = await BuildScenario.StartAsync(fixture, output, rabbitMq: true, overrides: DashboardOn());
        var (repo, token, commit) = await scenario.CreateRepositoryAsync(SampleApps.Printing("dashboard " + Guid.NewGuid().ToString("N")));
        var (failingRepo, failingToken, _) = await scenario.CreateRepositoryAsync(SampleApps.FailingRun("dashboard failure " + Guid.NewGuid().ToString("N")));
        var application = PlatformFixture.UniqueName("dash");
        await using var browser = await DashboardBrowser.LaunchAsync(fixture);
        var page = await browser.OpenAsync(scenario.Operator.Url);
        await Expect(page.Locator("#live")).ToHaveTextAsync("Live", new() { Timeout = PageWait });
        await page.EvaluateAsync("() => { window.dashboardNotReloaded = true; }");

        await scenario.Operator.WaitForConsumerAsync(scenario.Settings.BuildQueue, TimeSpan.FromSeconds(60));
        await scenario.Operator.PublishAsync(scenario.Settings.BuildQueue, JsonSerializer.Serialize(new Dictionary<string, string>
        {
            ["applicationID"] = application,
            ["userID"] = "dash",
            ["token"] = token,
            ["type"] = "repo",
            ["connector"] = "github",
            ["repo"] = repo,
            ["branch"] = "main",
        }));

        await scenario.SubmitAsync(BuildScenario.NewBuild("broken", failingRepo, "broken-token"), failingToken);

        var row = page.Locator("#builds-body tr", new() { HasText = repo });
        await Expect(row).ToHaveCountAsync(1, new() { Timeout = PageWait });
        await Expect(row.Locator(".phase")).ToHaveTextAsync(Phases.Succeeded, new() { Timeout = BuildWait });
        Assert.True(await page.EvaluateAsync<bool>("() => window.dashboardNotReloaded === true"), "the page was reloaded");
        await Expect(row).ToContainTextAsync(commit[..12]);
        await Expect(row).ToContainTextAsync("branch main");
        var name = (await row.GetAttributeAsync("data-key"))!.Split('/')[1];
        var build = await scenario.WaitForPhaseAsync(name, Phases.Succeeded);
        var broken = page.Locator("#builds-body tr", new() { HasText = failingRepo });
        await Expect(broken.Locator(".phase")).ToHaveTextAsync(Phases.Failed, new() { Timeout = BuildWait });
        await DashboardBrowser.ScreenshotAsync(page, fixture, "builds");
        var violations = await DashboardBrowser.SeriousViolationsAsync(page);

        // Filters: by phase, then by user too (no match), then back to everything.
        var rows = page.Locator("#builds-body tr");
        await page.GetByLabel("Phase").SelectOptionAsync(Phases.Failed);
        await Expect(rows).ToHaveCountAsync(1);
        await Expect(rows).ToContainTextAsync(failingRepo);
        await page.GetByLabel("User").SelectOptionAsync("dash");
        await Expect(rows).ToHaveCountAsync(0);
        await Expect(page.GetByText("No builds match.")).ToBeVisibleAsync();
        await page.GetByLabel("Phase").SelectOptionAsync("");
        await Expect(rows).ToHaveCountAsync(1);
        await Expect(rows).ToContainTextAsync(repo);
        await page.GetByLabel("Namespace").SelectOptionAsync(scenario.Namespace);
        await page.GetByLabel("User").SelectOptionAsync("");
        await Expect(rows).ToHaveCountAsync(2);

        // One build, reached by its link (a hash change: still no reload).
        await row.GetByRole(AriaRole.Link).ClickAsync();
        var content = page.Locator("#build-content");
        await Expect(content).ToContainTextAsync(build.Status!.Digest!, new() { Timeout = PageWait });
        await Expect(content).ToContainTextAsync(build.Status.Image!);
        await Expect(content).ToContainTextAsync(scenario.Settings.ContainerManagerQueue, new() { Timeout = PageWait });
        await Expect(content).ToContainTextAsync(build.Status.Job!);
        await Expect(content).ToContainTextAsync("BuildSucceeded");
        await DashboardBrowser.ScreenshotAsync(page, fixture, "build");
        violations.AddRange(await DashboardBrowser.SeriousViolationsAsync(page));

        // The registry: the repository, then its tags with the build that pushed each.
        var image = ImageName.Parse(build.Status.Image!);
        await page.GetByRole(AriaRole.Link, new() { Name = "Registry", Exact = true }).ClickAsync();
        await page.GetByLabel("Repository contains").FillAsync(image.Path);
        await page.GetByRole(AriaRole.Button, new() { Name = $"Show tags of {image.Path}" }).ClickAsync();
        var tag = page.Locator("#tags-body tr", new() { HasText = commit });
        await Expect(tag).ToHaveCountAsync(1, new() { Timeout = PageWait });
        await Expect(tag).ToContainTextAsync(build.Status.Digest!);
        await Expect(tag).ToContainTextAsync($"{scenario.Namespace}/{name}");
        await Expect(tag.Locator("td.num")).ToHaveTextAsync(new Regex("^[0-9.]+ (B|KiB|MiB|GiB)$"));
        await DashboardBrowser.ScreenshotAsync(page, fixture, "registry");
        violations.AddRange(await DashboardBrowser.SeriousViolationsAsync(page));

        // The queues: the build queue consumed by the bridge, the delay tiers, the notification queues.
        await page.GetByRole(AriaRole.Link, new() { Name = "Queues", Exact = true }).ClickAsync();
        var queues = page.Locator("#queues-body");
        await Expect(queues.Locator("tr")).ToHaveCountAsync(4 + scenario.Settings.DelayTiers.Count, new() { Timeout = PageWait });
        var buildQueue = queues.Locator("tr").First;
        await Expect(buildQueue).ToContainTextAsync(scenario.Settings.BuildQueue);
        await Expect(buildQueue.Locator("td.num").Nth(1)).Not.ToHaveTextAsync("0");
        await Expect(queues).ToContainTextAsync($"{scenario.Settings.FailQueue}.delay.1s");
        await Expect(queues).ToContainTextAsync(scenario.Settings.KusanaliQueue);
        await DashboardBrowser.ScreenshotAsync(page, fixture, "queues");
        violations.AddRange(await DashboardBrowser.SeriousViolationsAsync(page));

        Assert.True(await page.EvaluateAsync<bool>("() => window.dashboardNotReloaded === true"), "the page was reloaded");
        Assert.Empty(violations);
        Assert.Empty(browser.ConsoleErrors);
        await AssertNothingSecretAsync(scenario, name, image.Path, token, failingToken);
    }

    [Fact]
    public async Task Dashboard_FailedBuild_ShowsReasonAndLogTailWithoutReload()
    {
        await using var scenario = await BuildScenario.StartAsync(fixture, output, overrides: DashboardOn());
        var marker = "dashboard compile error " + Guid.NewGuid().ToString("N");
        var (repo, token, _) = await scenario.CreateRepositoryAsync(SampleApps.FailingRun(marker));
        await using var browser = await DashboardBrowser.LaunchAsync(fixture);
        // The page is open on the build before it exists, and follows it from there.
        var page = await browser.OpenAsync(new Uri(scenario.Operator.Url, $"#/build/{scenario.Namespace}/broken"));
        await Expect(page.Locator("#build-content")).ToContainTextAsync("does not see", new() { Timeout = PageWait });
        await Expect(page.Locator("#live")).ToHaveTextAsync("Live", new() { Timeout = PageWait });
        await page.EvaluateAsync("() => { window.dashboardNotReloaded = true; }");

        await scenario.SubmitAsync(BuildScenario.NewBuild("broken", repo, "broken-token"), token);

        var failure = page.GetByTestId("last-failure");
        await Expect(failure).ToContainTextAsync(BuildReasons.BuildFailed, new() { Timeout = BuildWait });
        await Expect(failure).ToContainTextAsync("user fault");
        await Expect(failure.Locator("pre.log")).ToContainTextAsync(marker);
        await Expect(page.Locator("#build-content .phase").First).ToHaveTextAsync(Phases.Failed);
        Assert.True(await page.EvaluateAsync<bool>("() => window.dashboardNotReloaded === true"), "the page was reloaded");
        var build = await scenario.WaitForPhaseAsync("broken", Phases.Failed);
        await Expect(page.Locator("#build-content")).ToContainTextAsync(build.Status!.LastFailure!.Message);
        await Expect(page.Locator("#build-content")).ToContainTextAsync(BuildReasons.BuildFailed);
        await DashboardBrowser.ScreenshotAsync(page, fixture, "build-failed");

        Assert.Empty(await DashboardBrowser.SeriousViolationsAsync(page));
        // The build's page was opened before the build existed: its first reads were answered 404, which Chromium logs.
        Assert.All(browser.ConsoleErrors, e => Assert.Contains("404", e, StringComparison.Ordinal));
        await AssertNothingSecretAsync(scenario, "broken", null, token);
    }

    /// <summary>Every file and answer of the dashboard, the live stream's first event included, holds no token or password.</summary>
    private async Task AssertNothingSecretAsync(BuildScenario scenario, string build, string? repository, params string[] tokens)
    {
        var url = scenario.Operator.Url;
        var paths = new List<string>
        {
            "", "index.html", "dashboard.js", "dashboard.css", "api/dashboard/builds", $"api/dashboard/builds/{scenario.Namespace}/{build}",
            "api/dashboard/queues", "api/dashboard/registry",
        };
        if (repository is not null)
        {
            paths.Add($"api/dashboard/registry/{repository}");
        }
        using var http = new HttpClient();
        var texts = new List<(string Path, string Text)>();
        foreach (var path in paths)
        {
            using var response = await http.GetAsync(new Uri(url, path));
            Assert.True(response.IsSuccessStatusCode, $"GET /{path}: HTTP {(int)response.StatusCode}");
            texts.Add((path, await response.Content.ReadAsStringAsync()));
        }
        texts.Add(("api/dashboard/builds/stream", await FirstEventAsync(http, new Uri(url, "api/dashboard/builds/stream"))));
        Assert.Contains(texts, t => t.Text.Contains(build, StringComparison.Ordinal));
        string[] secrets = [.. tokens, fixture.RegistryPassword, fixture.AmqpUri.UserInfo];
        var leaks = texts.SelectMany(t => secrets.Where(s => t.Text.Contains(s, StringComparison.Ordinal)).Select(_ => t.Path)).ToList();
        Assert.Empty(leaks);
    }

    private static async Task<string> FirstEventAsync(HttpClient http, Uri stream)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var response = await http.GetAsync(stream, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(timeout.Token));
        var lines = new List<string>();
        while (await reader.ReadLineAsync(timeout.Token) is { } line)
        {
            if (line.Length == 0 && lines.Count > 0)
            {
                break;
            }
            lines.Add(line);
        }
        Assert.Equal("event: snapshot", lines[0]);
        return string.Join('\n', lines);
    }
}
