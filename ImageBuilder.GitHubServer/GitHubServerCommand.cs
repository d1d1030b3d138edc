using System.Globalization;
using Microsoft.Extensions.Logging;

namespace ImageBuilder.GitHubServer;

/// <summary><c>ImageBuilder.GitHubServer [--port N] [--data DIR] [--seed-sample]</c>: runs the test server until killed, for the demo (scripts/run.sh).</summary>
public static class GitHubServerCommand
{
    private const string Usage = "usage: ImageBuilder.GitHubServer [--port 8090] [--data DIR] [--seed-sample]";

    public static async Task<int> RunAsync(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        if (!TryParse(args, out var port, out var data, out var seed))
        {
            await Console.Error.WriteLineAsync(Usage);
            return 2;
        }
        await using var server = await GitHubTestServer.StartAsync(port, data, logging => logging.AddSimpleConsole().SetMinimumLevel(LogLevel.Warning));
        Console.WriteLine($"GitHub test server: {server.BaseUrl} (API {server.ApiUrl}, data {server.DataDirectory})");
        if (seed)
        {
            var repository = await SampleRepository.CreateAsync(server);
            var head = await GitHubTestServer.RevParseAsync(repository, "refs/heads/" + repository.DefaultBranch);
            Console.WriteLine($"Sample repository {repository.FullName} (private, token {SampleRepository.Token}, commit {head}): {new Uri(server.BaseUrl, repository.FullName + ".git")}");
            var (compiled, first, second) = await CompiledSampleRepository.CreateAsync(server);
            Console.WriteLine($"Sample repository {compiled.FullName} (private, token {CompiledSampleRepository.Token}, commits {first} then {second}): {new Uri(server.BaseUrl, compiled.FullName + ".git")}");
        }
        using var stop = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            stop.Cancel();
        };
        using var sigterm = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, c =>
        {
            c.Cancel = true;
            stop.Cancel();
        });
        await Task.Delay(Timeout.Infinite, stop.Token).ContinueWith(_ => { }, TaskScheduler.Default);
        return 0;
    }

    private static bool TryParse(string[] args, out int port, out string? data, out bool seed)
    {
        port = 8090;
        data = null;
        seed = false;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--port" when i + 1 < args.Length && int.TryParse(args[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out port):
                    i++;
                    break;
                case "--data" when i + 1 < args.Length:
                    data = args[++i];
                    break;
                case "--seed-sample":
                    seed = true;
                    break;
                default:
                    return false;
            }
        }
        return true;
    }
}
