using ImageBuilder.Operator.Api;
using ImageBuilder.Operator.Bridge;
using ImageBuilder.Operator.Requests;

namespace ImageBuilder.Operator.Tests.Bridge;

public sealed class RequestClockTests
{
    [Fact]
    public void Next_StrictlyIncreases_EvenWhenTheClockStandsStillOrStepsBack()
    {
        var time = new SettableTime { Now = new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero) };
        var clock = new RequestClock(time);

        var first = clock.Next();
        var second = clock.Next();
        time.Now = time.Now.AddSeconds(-5);
        var third = clock.Next();

        Assert.True(first < second && second < third);
        Assert.Equal(TimeSpan.FromTicks(1), third - second);
    }

    [Fact]
    public void Stamp_KeepsTheOrderAt100Nanoseconds()
    {
        var at = new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero).AddTicks(1);
        Assert.Equal("2026-12-01T12:00:00.0000001Z", RequestOrder.Stamp(at));
        Assert.True(RequestOrder.TryParse(RequestOrder.Stamp(at), out var parsed));
        Assert.Equal(at, parsed);
    }

    [Fact]
    public void NewImageBuild_CarriesTheStamp()
    {
        var request = new BuildRequest { UserId = "u", Repo = "o/r", Token = "t", Connector = "github", Type = "repo" };
        var at = new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);

        var build = ImageBuildFactory.NewImageBuild(request, "ib-x", "ns", null, at);

        Assert.Equal(at, RequestOrder.Of(build).At);
    }

    // FakeTimeProvider refuses to go back; a node's clock does not.
    private sealed class SettableTime : TimeProvider
    {
        public DateTimeOffset Now { get; set; }

        public override DateTimeOffset GetUtcNow() => Now;
    }
}
