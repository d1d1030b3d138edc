using ImageBuilder.Operator.Controllers;
using ImageBuilder.Operator.Controllers.Queues;
using Microsoft.Extensions.Time.Testing;

namespace ImageBuilder.Operator.Tests.Controllers.Queues;

public sealed class RateLimiterTests
{
    private static readonly ObjectKey A = new("ns", "a");
    private static readonly ObjectKey B = new("ns", "b");

    [Fact]
    public void ItemExponential_RepeatedFailures_DoublesUpToCap()
    {
        var limiter = new ItemExponentialFailureRateLimiter(TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(5));

        var delays = Enumerable.Range(0, 12).Select(_ => limiter.When(A).TotalSeconds).ToArray();

        Assert.Equal([1, 2, 4, 8, 16, 32, 64, 128, 256, 300, 300, 300], delays);
    }

    [Fact]
    public void ItemExponential_ManyFailures_StaysAtCap()
    {
        var limiter = new ItemExponentialFailureRateLimiter(TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(5));

        for (var i = 0; i < 200; i++)
        {
            limiter.When(A);
        }

        Assert.Equal(TimeSpan.FromMinutes(5), limiter.When(A));
    }

    [Fact]
    public void ItemExponential_KeysAreIndependent()
    {
        var limiter = new ItemExponentialFailureRateLimiter(TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(5));
        limiter.When(A);
        limiter.When(A);

        Assert.Equal(TimeSpan.FromSeconds(1), limiter.When(B));
        Assert.Equal(2, limiter.NumRequeues(A));
    }

    [Fact]
    public void Bucket_BurstUsedUp_DelaysByRate()
    {
        var time = new FakeTimeProvider();
        var limiter = new BucketRateLimiter(perSecond: 2, burst: 3, time);

        var burst = Enumerable.Range(0, 3).Select(_ => limiter.When(A)).ToArray();

        Assert.All(burst, d => Assert.Equal(TimeSpan.Zero, d));
        Assert.Equal(TimeSpan.FromSeconds(0.5), limiter.When(B));
        Assert.Equal(TimeSpan.FromSeconds(1), limiter.When(B));
    }

    [Fact]
    public void Bucket_TimePasses_TokensRefill()
    {
        var time = new FakeTimeProvider();
        var limiter = new BucketRateLimiter(perSecond: 1, burst: 1, time);
        limiter.When(A);

        time.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal(TimeSpan.Zero, limiter.When(A));
    }

    [Fact]
    public void MaxOf_TakesLongestDelayAndForgetsInAll()
    {
        var time = new FakeTimeProvider();
        var exponential = new ItemExponentialFailureRateLimiter(TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(5));
        var limiter = new MaxOfRateLimiter(exponential, new BucketRateLimiter(perSecond: 0.1, burst: 1, time));

        Assert.Equal(TimeSpan.FromSeconds(1), limiter.When(A));
        Assert.Equal(TimeSpan.FromSeconds(10), limiter.When(A));

        limiter.Forget(A);
        Assert.Equal(0, limiter.NumRequeues(A));
    }
}
