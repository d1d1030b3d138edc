namespace ImageBuilder.Operator.Tests.Integration.Platform;

/// <summary>
/// scripts/services.sh serialises `up` with a lock file. A daemon it starts must not inherit the lock's
/// descriptor, or it holds the lock for as long as it runs and every later `up` (each test run, make run)
/// waits for it. Found twice: daemons of start_daemon, then RabbitMQ's own detached node.
/// </summary>
[Collection(PlatformCollection.Name)]
public sealed class PlatformLockTests(PlatformFixture fixture)
{
    [Fact]
    public void PlatformUp_Afterwards_NoDaemonHoldsTheUpLock()
    {
        Assert.NotNull(fixture.Kubernetes);
        var state = Environment.GetEnvironmentVariable("IB_STATE") ?? "/var/lib/imagebuilder";
        var lockFile = Path.Combine(state, "services-up.lock");

        var holders = new List<string>();
        foreach (var process in Directory.EnumerateDirectories("/proc").Where(d => int.TryParse(Path.GetFileName(d), out _)))
        {
            string command;
            try
            {
                var fds = Directory.EnumerateFileSystemEntries(Path.Combine(process, "fd"));
                if (!fds.Any(fd => new FileInfo(fd).LinkTarget == lockFile))
                {
                    continue;
                }
                command = File.ReadAllText(Path.Combine(process, "cmdline")).Replace('\0', ' ');
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // The process ended while it was read, or is not ours to read.
                continue;
            }
            // Another `up` running right now (another work tree, make run) holds it legitimately.
            if (!command.Contains("services.sh", StringComparison.Ordinal) && !command.StartsWith("flock ", StringComparison.Ordinal))
            {
                holders.Add($"{Path.GetFileName(process)}: {command}");
            }
        }

        Assert.True(holders.Count == 0, $"these processes hold {lockFile}: " + string.Join("; ", holders));
    }
}
