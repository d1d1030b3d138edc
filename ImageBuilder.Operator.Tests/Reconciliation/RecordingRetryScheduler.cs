using ImageBuilder.Operator.Api;
using ImageBuilder.Operator.Retries;

namespace ImageBuilder.Operator.Tests.Reconciliation;

/// <summary>A scheduler that records what it was handed and releases attempts on demand.</summary>
internal sealed class RecordingRetryScheduler : IRetryScheduler
{
    public List<(int Attempt, TimeSpan Delay, BuildFailure Failure)> Scheduled { get; } = [];

    public int ReleasedUpTo { get; set; }

    public Task ScheduleAsync(ImageBuild build, int nextAttempt, TimeSpan delay, BuildFailure failure, CancellationToken cancellationToken)
    {
        Scheduled.Add((nextAttempt, delay, failure));
        return Task.CompletedTask;
    }

    public bool IsReleased(ImageBuild build, int nextAttempt, DateTimeOffset now) => nextAttempt <= ReleasedUpTo;
}
