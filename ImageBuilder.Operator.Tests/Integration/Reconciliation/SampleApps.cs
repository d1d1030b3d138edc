namespace ImageBuilder.Operator.Tests.Integration.Reconciliation;

/// <summary>Tiny repositories for build tests, on the local registry's busybox so they build in seconds.</summary>
public static class SampleApps
{
    public const string BaseImage = "127.0.0.1:5000/base/busybox:latest";

    /// <summary>An app that prints <paramref name="output"/> (unique per test, so each commit, and so each image tag, is new).</summary>
    public static Dictionary<string, string> Printing(string output) => new(StringComparer.Ordinal)
    {
        ["Dockerfile"] = $"FROM {BaseImage}\nCOPY app.sh /app/app.sh\nCMD [\"/bin/sh\", \"/app/app.sh\"]\n",
        ["app.sh"] = $"#!/bin/sh\necho \"{output}\"\n",
    };

    /// <summary>A Dockerfile whose RUN prints <paramref name="marker"/> and then fails, as a compile error would.</summary>
    public static Dictionary<string, string> FailingRun(string marker) => new(StringComparer.Ordinal)
    {
        ["Dockerfile"] = $"FROM {BaseImage}\nRUN echo \"{marker}\" && exit 3\n",
    };

    /// <summary>A build whose RUN sleeps <paramref name="seconds"/>: long enough to hit a deadline or be deleted mid-build.</summary>
    public static Dictionary<string, string> Sleeping(int seconds, string marker) => new(StringComparer.Ordinal)
    {
        ["Dockerfile"] = $"FROM {BaseImage}\nRUN echo \"{marker}\" && sleep {seconds}\n",
    };
}
