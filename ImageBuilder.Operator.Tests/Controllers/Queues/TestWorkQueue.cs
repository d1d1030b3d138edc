using ImageBuilder.Operator.Controllers.Queues;

namespace ImageBuilder.Operator.Tests.Controllers.Queues;

/// <summary>
/// The work queue the queue and worker tests drive: a failed key waits 1 s, doubling up to 5 min, on the test's clock,
/// so a test moves time to release it.
/// </summary>
internal static class TestWorkQueue
{
    public static WorkQueue On(TimeProvider time) =>
        new(new ItemExponentialFailureRateLimiter(TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(5)), time);
}
