using System.Text;

namespace ImageBuilder.Operator.Tests.Integration.EndToEnd;

/// <summary>
/// The operator containers of a release, seen through the node's Docker: <c>kubectl logs</c> and
/// <c>kubectl exec</c> cannot reach a kubelet that listens on loopback only, but this is the node.
/// </summary>
internal static class OperatorContainers
{
    private const string Docker = "/usr/bin/docker";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    /// <summary>Each running operator's <c>/readyz</c> answer by pod name, read on the loopback port its start wrapper picked.</summary>
    public static async Task<IReadOnlyDictionary<string, string>> ReadyzByPodAsync(string @namespace)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var answers = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var id in await IdsAsync(@namespace, running: true))
        {
            var pod = (await DockerAsync("inspect", "-f", "{{index .Config.Labels \"io.kubernetes.pod.name\"}}", id)).Trim();
            var port = (await DockerAsync("exec", id, "cat", "/tmp/http-port")).Trim();
            answers[pod] = await http.GetStringAsync(new Uri($"http://127.0.0.1:{port}/readyz"));
        }
        return answers;
    }

    /// <summary>Pods, events and the operators' log tails, for a failure message.</summary>
    public static async Task<string> DescribeAsync(PlatformFixture platform, string @namespace)
    {
        var text = new StringBuilder();
        text.AppendLine(await TryAsync(() => platform.KubectlAsync("-n", @namespace, "get", "pods,ib,jobs", "-o", "wide")));
        text.AppendLine(await TryAsync(() => platform.KubectlAsync("-n", @namespace, "get", "events", "--sort-by=.lastTimestamp")));
        foreach (var id in (await IdsAsync(@namespace, running: false)).Take(6))
        {
            text.AppendLine("--- operator container " + id);
            text.AppendLine(await TryAsync(() => PlatformFixture.RunAsync("sh", ["-c", $"{Docker} logs --tail 40 {id} 2>&1"], Timeout)));
        }
        return text.ToString();
    }

    private static async Task<IReadOnlyList<string>> IdsAsync(string @namespace, bool running)
    {
        var output = await DockerAsync(["ps", "-q", .. running ? Array.Empty<string>() : ["-a"],
            "--filter", "label=io.kubernetes.pod.namespace=" + @namespace, "--filter", "label=io.kubernetes.container.name=operator"]);
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    }

    private static Task<string> DockerAsync(params string[] args) => PlatformFixture.RunAsync(Docker, args, Timeout);

    private static async Task<string> TryAsync(Func<Task<string>> read)
    {
        try
        {
            return await read();
        }
        catch (Exception e) when (e is InvalidOperationException or TimeoutException)
        {
            return "(unavailable: " + e.Message + ")";
        }
    }
}
