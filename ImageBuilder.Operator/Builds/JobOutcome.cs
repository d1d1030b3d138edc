using ImageBuilder.Operator.Api;

namespace ImageBuilder.Operator.Builds;

/// <summary>What a build Job says about its attempt; see <see cref="BuildJobObserver"/>.</summary>
public abstract record JobOutcome
{
    private JobOutcome()
    {
    }

    /// <summary>Still working (or not yet past the pending timeout).</summary>
    public sealed record Running : JobOutcome
    {
        public static Running Instance { get; } = new();
    }

    /// <summary>Pushed: <paramref name="Digest"/> is the manifest digest (sha256:…).</summary>
    public sealed record Succeeded(string Digest, string? LogTail) : JobOutcome;

    /// <summary>The Job finished without an image.</summary>
    public sealed record Failed(BuildFailure Failure) : JobOutcome;

    /// <summary>
    /// The pod never started a container within the pending timeout. The Job still exists and
    /// counts as active: the caller deletes it, then handles <paramref name="Failure"/> as a failed attempt.
    /// </summary>
    public sealed record PendingTooLong(BuildFailure Failure) : JobOutcome;
}
