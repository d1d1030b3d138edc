using Deque.AxeCore.Playwright;
using Microsoft.Playwright;

namespace ImageBuilder.Operator.Tests.Integration.Dashboard;

/// <summary>
/// Debian's chromium driven by Playwright: installed by the platform scripts' <c>apt_ensure</c> when missing, never
/// a browser download. One browser per test; pages record console errors so a broken script fails the test.
/// </summary>
public sealed class DashboardBrowser : IAsyncDisposable
{
    public const string Chromium = "/usr/bin/chromium";
    private static readonly SemaphoreSlim InstallGate = new(1, 1);
    private static bool _installed;
    private readonly IPlaywright _playwright;

    private DashboardBrowser(IPlaywright playwright, IBrowser browser)
    {
        _playwright = playwright;
        Browser = browser;
    }

    public IBrowser Browser { get; }

    /// <summary>Messages the pages logged as errors (a failed script, a CSP refusal), for assertions.</summary>
    public List<string> ConsoleErrors { get; } = [];

    public static async Task<DashboardBrowser> LaunchAsync(PlatformFixture fixture)
    {
        ArgumentNullException.ThrowIfNull(fixture);
        await EnsureChromiumAsync(fixture);
        // Playwright never fetches a browser at run time; this also stops any install hook from trying.
        Environment.SetEnvironmentVariable("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
        var playwright = await Playwright.CreateAsync();
        try
        {
            var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
            {
                ExecutablePath = Chromium,
                Headless = true,
                // No sandbox: the tests run as root. The rest keeps chromium from calling home: loopback only.
                Args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync"],
            });
            return new DashboardBrowser(playwright, browser);
        }
        catch
        {
            playwright.Dispose();
            throw;
        }
    }

    /// <summary>A page of 1280×800 on <paramref name="url"/>, its console errors recorded.</summary>
    public async Task<IPage> OpenAsync(Uri url)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 800 }, Locale = "en-GB", TimezoneId = "UTC" });
        var page = await context.NewPageAsync();
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                lock (ConsoleErrors)
                {
                    ConsoleErrors.Add(message.Text);
                }
            }
        };
        page.PageError += (_, error) =>
        {
            lock (ConsoleErrors)
            {
                ConsoleErrors.Add(error);
            }
        };
        await page.GotoAsync(url.ToString());
        return page;
    }

    /// <summary>axe-core's serious and critical violations on the page as it is now, one line each (empty when clean).</summary>
    public static async Task<List<string>> SeriousViolationsAsync(IPage page)
    {
        ArgumentNullException.ThrowIfNull(page);
        var result = await page.RunAxe();
        return [.. result.Violations
            .Where(v => v.Impact is "serious" or "critical")
            .Select(v => $"{v.Impact} {v.Id}: {v.Help} at {string.Join(" | ", v.Nodes.Select(n => n.Target?.ToString()))}")];
    }

    /// <summary>
    /// Saves a screenshot: under docs/ when UPDATE_SCREENSHOTS=1 (how the README's pictures are made), otherwise in the
    /// test output, so an ordinary run leaves the checkout untouched.
    /// </summary>
    public static async Task<string> ScreenshotAsync(IPage page, PlatformFixture fixture, string name)
    {
        ArgumentNullException.ThrowIfNull(page);
        ArgumentNullException.ThrowIfNull(fixture);
        var folder = Environment.GetEnvironmentVariable("UPDATE_SCREENSHOTS") == "1"
            ? Path.Combine(fixture.RepoRoot, "docs")
            : Path.Combine(AppContext.BaseDirectory, "screenshots");
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, $"dashboard-{name}.png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
        return path;
    }

    private static async Task EnsureChromiumAsync(PlatformFixture fixture)
    {
        await InstallGate.WaitAsync();
        try
        {
            if (!_installed)
            {
                var common = Path.Combine(fixture.RepoRoot, "scripts", "common.sh");
                await PlatformFixture.RunAsync("bash", ["-c", $"source '{common}' && apt_ensure chromium"], TimeSpan.FromMinutes(10));
                _installed = File.Exists(Chromium) ? true : throw new InvalidOperationException($"apt_ensure chromium left no {Chromium}");
            }
        }
        finally
        {
            InstallGate.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Browser.DisposeAsync();
        _playwright.Dispose();
    }
}
