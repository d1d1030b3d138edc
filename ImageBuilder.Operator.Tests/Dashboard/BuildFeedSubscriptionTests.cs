using ImageBuilder.Operator.Dashboard;

namespace ImageBuilder.Operator.Tests.Dashboard;

public sealed class BuildFeedSubscriptionTests
{
    [Fact]
    public void Offer_MoreThanTheBufferHolds_LagsOnceAndDropsTheBacklogForASnapshot()
    {
        var unsubscribed = 0;
        using (var subscription = new BuildFeedSubscription(_ => unsubscribed++))
        {
            for (var i = 0; i < 1100; i++)
            {
                subscription.Offer(new BuildChange(new BuildSummary { Namespace = "ns", Name = $"b{i}", Uid = $"u{i}" }, Deleted: false));
            }

            Assert.True(subscription.TakeLagged());
            Assert.False(subscription.Changes.TryRead(out _));
            Assert.False(subscription.TakeLagged());
            subscription.Offer(new BuildChange(new BuildSummary { Namespace = "ns", Name = "next", Uid = "u" }, Deleted: false));
            Assert.True(subscription.Changes.TryRead(out var next));
            Assert.Equal("next", next.Build.Name);
        }

        Assert.Equal(1, unsubscribed);
    }
}
