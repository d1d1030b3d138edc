using ImageBuilder.Operator.RabbitMq;
using k8s.Exceptions;
using Microsoft.Extensions.Options;

namespace ImageBuilder.Operator.Hosting;

/// <summary>
/// How the process ends when it cannot run: one line on stderr saying why, and a non-zero exit code
/// so that Kubernetes (CrashLoopBackOff), systemd or a script sees the failure. The host would
/// otherwise log the same exception with its stack trace (once per failed service) and, when a
/// background service failed, return normally: exit code 0 after a crash.
/// </summary>
public static class FatalExit
{
    /// <summary>The exit code of a process that could not start or whose background work failed.</summary>
    public const int ExitCode = 1;

    /// <summary>The host's own log category: its failure logs repeat, with stack traces, what this class prints once.</summary>
    public const string HostLogCategory = "Microsoft.Extensions.Hosting.Internal.Host";

    /// <summary>The background services of <paramref name="services"/>, taken before the host runs (it disposes its services when it stops).</summary>
    public static IReadOnlyList<BackgroundService> BackgroundServices(IServiceProvider services) =>
        [.. services.GetServices<IHostedService>().OfType<BackgroundService>()];

    /// <summary>After the host stopped: 0, or the exit code once every distinct failure of a background service is written.</summary>
    public static int Report(IEnumerable<BackgroundService> services, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(error);
        var failures = services
            .Select(s => s.ExecuteTask)
            .Where(t => t is { IsFaulted: true })
            .Select(t => Line(t!.Exception!.GetBaseException()))
            .Distinct(StringComparer.Ordinal)
            .ToList();
        foreach (var failure in failures)
        {
            error.WriteLine(failure);
        }
        return failures.Count == 0 ? 0 : ExitCode;
    }

    /// <summary>Writes why the process cannot run and returns the exit code.</summary>
    public static int Report(Exception exception, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(exception);
        ArgumentNullException.ThrowIfNull(error);
        error.WriteLine(Line(exception));
        return ExitCode;
    }

    /// <summary>
    /// One line for a failure of configuration or environment, which the message explains and a
    /// stack trace would only bury; the whole exception for anything else, which is a bug.
    /// </summary>
    public static string Line(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        var expected = exception is QueueMismatchException or OptionsValidationException or KubeConfigException;
        var text = expected ? exception.Message.ReplaceLineEndings(" ") : exception.ToString();
        return "image-builder: cannot run: " + text;
    }
}
