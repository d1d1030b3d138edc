namespace ImageBuilder.Operator.Tests.Hosting;

public sealed class ExponentialBackoffTests
{
    [Theory]
    [InlineData(1_000, 60_000, -3, 1_000)]
    [InlineData(1_000, 60_000, 0, 1_000)]
    [InlineData(1_000, 60_000, 1, 2_000)]
    [InlineData(1_000, 60_000, 5, 32_000)]
    [InlineData(1_000, 60_000, 6, 60_000)]
    [InlineData(1_000, 60_000, 62, 60_000)]
    [InlineData(1_000, 60_000, int.MaxValue, 60_000)]
    [InlineData(250, 250, 0, 250)]
    public void Delay_DoublesPerStepUpToTheCap(int baseMs, int maxMs, int exponent, int expectedMs)
    {
        var delay = ExponentialBackoff.Delay(TimeSpan.FromMilliseconds(baseMs), TimeSpan.FromMilliseconds(maxMs), exponent);

        Assert.Equal(TimeSpan.FromMilliseconds(expectedMs), delay);
    }

    [Fact]
    public void Delay_OneTickBaseAndHugeCap_StillGrowsWithoutOverflow()
    {
        var cap = TimeSpan.FromDays(3650);

        Assert.Equal(TimeSpan.FromTicks(1L << 40), ExponentialBackoff.Delay(TimeSpan.FromTicks(1), cap, 40));
        Assert.Equal(cap, ExponentialBackoff.Delay(TimeSpan.FromTicks(1), cap, 62));
    }
}
