using ImageBuilder.Operator.Reconciliation;
using k8s;
using k8s.Models;

namespace ImageBuilder.Operator.Tests.Reconciliation;

public sealed class RetiredNamesViewTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 21, 0, 0, TimeSpan.Zero);

    private static V1ConfigMap Map(params (string Name, DateTimeOffset Until)[] entries) => new()
    {
        Metadata = new V1ObjectMeta { Name = RetiredBuilds.ConfigMapName },
        Data = entries.ToDictionary(e => e.Name, e => e.Until.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture), StringComparer.Ordinal),
    };

    [Fact]
    public void BeforeTheFirstList_NotCurrent_SoTheWriterReadsLive()
    {
        var view = new RetiredNamesView();
        Assert.False(view.IsCurrent);
        Assert.Null(view.Names(Now));
    }

    [Fact]
    public void ListWithoutConfigMap_CurrentAndEmpty()
    {
        var view = new RetiredNamesView();
        view.Apply(WatchEventType.Added, null);
        Assert.Empty(view.Names(Now)!);
    }

    [Fact]
    public void ModifiedEvent_ReplacesTheNames()
    {
        var view = new RetiredNamesView();
        view.Apply(WatchEventType.Added, Map(("ib-a", Now.AddHours(1))));
        view.Apply(WatchEventType.Modified, Map(("ib-a", Now.AddHours(1)), ("ib-b", Now.AddHours(2))));
        Assert.Equal(["ib-a", "ib-b"], view.Names(Now)!.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void BookmarkChangesNothing_DeletedEmpties()
    {
        var view = new RetiredNamesView();
        view.Apply(WatchEventType.Added, Map(("ib-a", Now.AddHours(1))));
        view.Apply(WatchEventType.Bookmark, new V1ConfigMap { Metadata = new V1ObjectMeta { ResourceVersion = "9" } });
        Assert.Contains("ib-a", view.Names(Now)!);
        view.Apply(WatchEventType.Deleted, Map(("ib-a", Now.AddHours(1))));
        Assert.Empty(view.Names(Now)!);
    }

    [Fact]
    public void EntriesExpireAsTimePasses_WithoutANewEvent()
    {
        var view = new RetiredNamesView();
        view.Apply(WatchEventType.Added, Map(("ib-soon", Now.AddMinutes(1)), ("ib-later", Now.AddHours(1))));
        Assert.Equal(2, view.Names(Now)!.Count);
        Assert.Equal(["ib-later"], view.Names(Now.AddMinutes(2))!);
        Assert.Empty(view.Names(Now.AddHours(2))!);
    }

    [Fact]
    public void UnreadableEntry_IsNotAName()
    {
        var view = new RetiredNamesView();
        var map = Map(("ib-a", Now.AddHours(1)));
        map.Data["ib-garbage"] = "not a time";
        view.Apply(WatchEventType.Added, map);
        Assert.Equal(["ib-a"], view.Names(Now)!);
    }

    [Fact]
    public void Invalidated_NotCurrentUntilListedAgain()
    {
        var view = new RetiredNamesView();
        view.Apply(WatchEventType.Added, Map(("ib-a", Now.AddHours(1))));
        view.Invalidate();
        Assert.Null(view.Names(Now));
        view.Apply(WatchEventType.Added, Map(("ib-b", Now.AddHours(1))));
        Assert.Equal(["ib-b"], view.Names(Now)!);
    }

    [Theory]
    [InlineData(false, false, false)]
    [InlineData(true, false, true)]
    [InlineData(false, true, true)]
    [InlineData(true, true, true)]
    public void OnlyANewDeliveryOfAStillPresentName_UsesTheCopy(bool redelivered, bool nameVanished, bool live) =>
        Assert.Equal(live, RetiredNamesCache.MustReadLive(redelivered, nameVanished));
}
