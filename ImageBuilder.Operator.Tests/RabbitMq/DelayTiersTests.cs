using ImageBuilder.Operator.RabbitMq;

namespace ImageBuilder.Operator.Tests.RabbitMq;

public sealed class DelayTiersTests
{
    private static readonly DelayTiers Tiers = new("image-builder.fail",
        [TimeSpan.FromSeconds(300), TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(1800)]);

    [Theory]
    [InlineData(0, 10)]
    [InlineData(1, 10)]
    [InlineData(10, 10)]
    [InlineData(11, 60)]
    [InlineData(60, 60)]
    [InlineData(200, 300)]
    [InlineData(1800, 1800)]
    [InlineData(99999, 1800)]
    public void TierFor_Delay_IsSmallestTierAtLeastThatLong(int delaySeconds, int tierSeconds)
    {
        Assert.Equal(TimeSpan.FromSeconds(tierSeconds), Tiers.TierFor(TimeSpan.FromSeconds(delaySeconds)));
    }

    [Fact]
    public void QueueName_OfTier_NamesSeconds()
    {
        Assert.Equal("image-builder.fail.delay.60s", Tiers.QueueName(TimeSpan.FromMinutes(1)));
    }

    [Fact]
    public void Declarations_EachTier_HasTtlAndDeadLettersToFailQueue()
    {
        var declarations = Tiers.Declarations().ToList();

        Assert.Equal(["image-builder.fail.delay.10s", "image-builder.fail.delay.60s", "image-builder.fail.delay.300s", "image-builder.fail.delay.1800s"],
            declarations.Select(d => d.Name));
        var first = declarations[0].Arguments;
        Assert.Equal(10_000L, first["x-message-ttl"]);
        Assert.Equal("", first["x-dead-letter-exchange"]);
        Assert.Equal("image-builder.fail", first["x-dead-letter-routing-key"]);
        Assert.False(first.ContainsKey("x-queue-type"));
    }
}
