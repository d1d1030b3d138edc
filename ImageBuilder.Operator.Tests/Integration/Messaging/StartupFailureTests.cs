using ImageBuilder.Testing.Operators;
using RabbitMQ.Client;
using Xunit.Abstractions;

namespace ImageBuilder.Operator.Tests.Integration.Messaging;

/// <summary>
/// The operator as its own process, as Kubernetes runs it: a start-up it cannot complete must end
/// the process with a non-zero exit code (so the pod shows CrashLoopBackOff, not Completed) and say
/// why in one line, once, without a stack trace burying it.
/// </summary>
[Collection(PlatformCollection.Name)]
public sealed class StartupFailureTests(PlatformFixture fixture, ITestOutputHelper output)
{
    private static readonly TimeSpan ExitWithin = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task Operator_BuildQueueExistsAsClassic_ExitsOneWithTheReasonOnOneLine()
    {
        var prefix = PlatformFixture.UniqueName("fatal");
        var ns = await fixture.CreateNamespaceAsync("fatal");
        var factory = new ConnectionFactory { Uri = fixture.AmqpUri };
        await using var connection = await factory.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        // An older deployment's queue: classic, where the operator declares quorum queues.
        await channel.QueueDeclareAsync(prefix + ".build", durable: true, exclusive: false, autoDelete: false);
        try
        {
            var run = await RunOperatorAsync(Environment(ns, prefix));

            Assert.Equal(1, run.ExitCode);
            var reason = Assert.Single(run.StdErr);
            Assert.StartsWith("image-builder: cannot run: ", reason, StringComparison.Ordinal);
            Assert.Contains($"Queue '{prefix}.build' already exists with other arguments", reason, StringComparison.Ordinal);
            Assert.Contains("x-queue-type", reason, StringComparison.Ordinal);
            Assert.Contains("OnQueueMismatch=UseExisting", reason, StringComparison.Ordinal);
            AssertSaidOnceWithoutStackTrace(run, "already exists with other arguments");
        }
        finally
        {
            foreach (var suffix in new[] { ".build", ".fail", ".cm", ".kusanali" })
            {
                await channel.QueueDeleteAsync(prefix + suffix, ifUnused: false, ifEmpty: false);
            }
        }
    }

    [Fact]
    public async Task Operator_RequiredSettingMissing_ExitsOneWithTheReasonOnOneLine()
    {
        var ns = await fixture.CreateNamespaceAsync("fatal-cfg");
        var environment = Environment(ns, PlatformFixture.UniqueName("fatal"));
        environment.Remove("Build__Registry");

        var run = await RunOperatorAsync(environment);

        Assert.Equal(1, run.ExitCode);
        var reason = Assert.Single(run.StdErr);
        Assert.StartsWith("image-builder: cannot run: ", reason, StringComparison.Ordinal);
        Assert.Contains("Build:Registry", reason, StringComparison.Ordinal);
        AssertSaidOnceWithoutStackTrace(run, "Build:Registry");
    }

    private static void AssertSaidOnceWithoutStackTrace(OperatorRun run, string reason)
    {
        var all = run.StdOut.Concat(run.StdErr).ToList();
        Assert.Single(all, l => l.Contains(reason, StringComparison.Ordinal));
        Assert.DoesNotContain(all, l => l.TrimStart().StartsWith("at ", StringComparison.Ordinal));
        Assert.DoesNotContain(all, l => l.Contains("Unhandled exception", StringComparison.Ordinal));
    }

    private Dictionary<string, string> Environment(string ns, string prefix) => new(StringComparer.Ordinal)
    {
        ["KUBECONFIG"] = fixture.KubeConfigPath,
        ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{FreePort.Next()}",
        ["Controller__Namespace"] = ns,
        ["Controller__LeaderElection__LeaseNamespace"] = ns,
        // A complete configuration (as the chaos replicas have), so only the failure under test stops start-up.
        ["Build__Registry"] = fixture.Registry,
        ["Build__Strategy"] = "buildkit",
        ["Build__Images__Fetch"] = "imagebuilder/fetch:dev",
        ["Build__Images__Nixpacks"] = "imagebuilder/fetch:dev",
        ["Build__Images__BuildKit"] = OperatorConfiguration.DevBuildKitImage,
        ["RabbitMq__Uri"] = fixture.AmqpUri.ToString(),
        ["RabbitMq__BuildQueue"] = prefix + ".build",
        ["RabbitMq__FailQueue"] = prefix + ".fail",
        ["RabbitMq__ContainerManagerQueue"] = prefix + ".cm",
        ["RabbitMq__KusanaliQueue"] = prefix + ".kusanali",
        ["RabbitMq__TargetNamespace"] = ns,
    };

    private async Task<OperatorRun> RunOperatorAsync(Dictionary<string, string> environment)
    {
        using var process = CapturedProcess.Start(OperatorProcess.StartInfo(fixture.OperatorDll(), environment));
        if (!await process.WaitForExitAsync(ExitWithin))
        {
            throw new TimeoutException($"the operator did not exit within {ExitWithin}; it printed:\n{process.Text()}");
        }
        output.WriteLine(process.Text());
        return new OperatorRun(process.ExitCode, process.StdOut, [.. process.StdErr.Where(l => l.Length > 0)]);
    }

    private sealed record OperatorRun(int ExitCode, IReadOnlyList<string> StdOut, IReadOnlyList<string> StdErr);
}
