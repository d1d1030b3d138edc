using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using ImageBuilder.Operator.Tests.Deploy;

namespace ImageBuilder.Operator.Tests.Integration.Evidence;

/// <summary>
/// Debian's Prometheus server, started for one test on a free loopback port with a temporary storage folder,
/// scraping one target every second and evaluating the given rule files. Disposing stops it (its own process
/// only) and deletes the folder.
/// </summary>
public sealed class PrometheusServer : IAsyncDisposable
{
    private readonly Process _process;
    private readonly DirectoryInfo _dir;
    private readonly StringBuilder _log;

    private PrometheusServer(Process process, DirectoryInfo dir, StringBuilder log, Uri url)
    {
        _process = process;
        _dir = dir;
        _log = log;
        Http = new HttpClient { BaseAddress = url };
    }

    /// <summary>Talks to the server's HTTP API.</summary>
    public HttpClient Http { get; }

    /// <summary>What the server printed so far, for failure messages.</summary>
    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    /// <summary>Starts Prometheus scraping <paramref name="target"/> (host:port on loopback) as job <c>image-builder</c>; returns once it is ready.</summary>
    public static async Task<PrometheusServer> StartAsync(string target, IEnumerable<string> ruleFiles)
    {
        var binary = await PrometheusTools.PrometheusAsync();
        var dir = Directory.CreateTempSubdirectory("ib-prometheus-");
        var config = Path.Combine(dir.FullName, "prometheus.yml");
        // One-second scrapes and evaluations: the test waits for a counter, not for a production interval.
        var rules = string.Join("", ruleFiles.Select(f => $"\n  - {f}"));
        await File.WriteAllTextAsync(config, $"""
            global:
              scrape_interval: 1s
              evaluation_interval: 1s
            rule_files:{rules}
            scrape_configs:
              - job_name: image-builder
                static_configs:
                  - targets: ["{target}"]
            """);
        var port = FreeLoopbackPort();
        var psi = new ProcessStartInfo(binary)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = dir.FullName,
        };
        foreach (var arg in new[]
        {
            "--config.file=" + config,
            "--storage.tsdb.path=" + Path.Combine(dir.FullName, "data"),
            $"--web.listen-address=127.0.0.1:{port}",
        })
        {
            psi.ArgumentList.Add(arg);
        }
        var log = new StringBuilder();
        var process = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {binary}");
        DataReceivedEventHandler append = (_, e) =>
        {
            lock (log)
            {
                log.AppendLine(e.Data);
            }
        };
        process.OutputDataReceived += append;
        process.ErrorDataReceived += append;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var server = new PrometheusServer(process, dir, log, new Uri($"http://127.0.0.1:{port}/"));
        try
        {
            await Eventually.WaitAsync(async () => process.HasExited ? throw new InvalidOperationException($"prometheus exited {process.ExitCode}: {server.Log}") : await server.IsReadyAsync(),
                TimeSpan.FromSeconds(60), "prometheus /-/ready");
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>The instant vector of <paramref name="query"/>: each series' labels and value.</summary>
    public async Task<IReadOnlyList<(Dictionary<string, string> Labels, double Value)>> QueryAsync(string query)
    {
        using var response = await Http.GetAsync(new Uri("api/v1/query?query=" + Uri.EscapeDataString(query), UriKind.Relative));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"query {query}: {(int)response.StatusCode} {body}");
        using var json = JsonDocument.Parse(body);
        return json.RootElement.GetProperty("data").GetProperty("result").EnumerateArray()
            .Select(r => (
                r.GetProperty("metric").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString() ?? "", StringComparer.Ordinal),
                double.Parse(r.GetProperty("value")[1].GetString()!, CultureInfo.InvariantCulture)))
            .ToList();
    }

    /// <summary>The body of <c>/api/v1/rules</c>: the loaded rule groups with each rule's health.</summary>
    public async Task<JsonDocument> RulesAsync() =>
        JsonDocument.Parse(await Http.GetStringAsync(new Uri("api/v1/rules", UriKind.Relative)));

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
        _dir.Delete(recursive: true);
    }

    private async Task<bool> IsReadyAsync()
    {
        try
        {
            using var response = await Http.GetAsync(new Uri("-/ready", UriKind.Relative));
            return response.StatusCode == HttpStatusCode.OK;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }

    // Another process could take the port before Prometheus binds it; then Prometheus exits and the test says so.
    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
